import Testing
@testable import Answering

@Suite struct CitationCheckerTests {
    @Test func keepsCitationsOfPassagesSentAndDropsTheRest() {
        let checked = CitationChecker.check("Up to 20 days [1]. Longer needs approval [2, 9]. Made up [7].", validNumbers: [1, 2, 3])
        #expect(checked.answer == "Up to 20 days [1]. Longer needs approval [2]. Made up.")
        #expect(checked.citedNumbers == [1, 2])
        #expect(checked.removedCount == 2)
    }

    @Test func leavesBracketsThatAreNotCitationsAlone() {
        let checked = CitationChecker.check("See [the handbook] and [sic] [3][1].", validNumbers: [1, 3])
        #expect(checked.answer == "See [the handbook] and [sic] [3][1].")
        #expect(checked.citedNumbers == [3, 1])
    }

    @Test func findsNoCitationsInAnAnswerWithout() {
        let checked = CitationChecker.check("The policies do not say.", validNumbers: [1])
        #expect(checked.citedNumbers.isEmpty)
        #expect(checked.removedCount == 0)
    }

    @Test func capsALongAnswerAtASentenceEnd() {
        let sentence = "This sentence is exactly fifty characters long [1]. "
        let checked = CitationChecker.check(String(repeating: sentence, count: 40), validNumbers: [1])
        #expect(checked.answer.count <= CitationChecker.maximumAnswerCharacterCount)
        #expect(checked.answer.hasSuffix("long [1]."))
    }
}

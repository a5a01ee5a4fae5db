import Testing
@testable import Answering

@Suite struct ExtractiveAnswererTests {
    static let passages = [
        PromptBuilderTests.passage(1, "## Working Abroad\nYou may work abroad for up to 20 working days a year. Tell your manager first."),
        PromptBuilderTests.passage(2, "Longer stays abroad need approval from People Operations and Legal. Payroll is monthly."),
        PromptBuilderTests.passage(3, "| Item | Limit |\n| --- | --- |\n| Taxi | $50 per ride |"),
    ]

    @Test func quotesTheBestSentencesAndCitesEach() {
        let answer = ExtractiveAnswerer.answer(question: "How many days can I work abroad?", passages: Self.passages)
        #expect(answer.text.hasPrefix("You may work abroad for up to 20 working days a year. [1]"))
        #expect(answer.citedNumbers.first == 1)
        #expect(answer.quotes[1] == "You may work abroad for up to 20 working days a year.")
        #expect(!answer.text.contains("Payroll"))
        #expect(!answer.text.contains("##"))
    }

    @Test func alwaysCitesTheFirstPassageEvenWithoutSharedWords() {
        let answer = ExtractiveAnswerer.answer(question: "zzz qqq", passages: Self.passages)
        #expect(answer.citedNumbers == [1])
        #expect(answer.text.hasSuffix("[1]"))
    }

    @Test func alsoQuotesAClearlyBetterSentenceFromALowerPassage() {
        let passages = [
            PromptBuilderTests.passage(1, "Many employees want to combine work with time abroad. This policy explains the limits."),
            PromptBuilderTests.passage(2, "You may work from abroad for up to 20 working days in any rolling 12-month period."),
        ]
        let answer = ExtractiveAnswerer.answer(question: "How many working days can I work from abroad?", passages: passages)
        #expect(answer.citedNumbers == [1, 2])
        #expect(answer.quotes[2] == "You may work from abroad for up to 20 working days in any rolling 12-month period.")
        #expect(answer.text.contains("20 working days"))
    }

    @Test func readsTableRowsAsText() {
        #expect(ExtractiveAnswerer.sentences(Self.passages[2].text) == ["Taxi; $50 per ride"])
    }

    @Test func noPassagesNoAnswer() {
        #expect(ExtractiveAnswerer.answer(question: "q", passages: []).citedNumbers.isEmpty)
    }
}

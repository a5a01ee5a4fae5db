@testable import QueryServer
import Testing

@Suite struct SectionAnchorTests {
    @Test func slugsKeepLettersAndDigitsAndJoinTheRestWithOneDash() {
        #expect(SectionAnchor.slug("Travel & Expenses") == "travel-expenses")
        #expect(SectionAnchor.slug("401(k) Plan: Matching") == "401-k-plan-matching")
        #expect(SectionAnchor.slug("  Café — Überstunden ½ ") == "café-überstunden-½")
        #expect(SectionAnchor.slug("!!!") == "section")
    }
}

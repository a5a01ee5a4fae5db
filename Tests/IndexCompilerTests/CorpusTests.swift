import Foundation
import Testing
@testable import IndexCompiler

/// The real handbook in `policies/` (docs/CORPUS.md), loaded once for all tests.
@Suite struct CorpusTests {
    static let loaded = Result { try DocumentLoader.loadFolder(Fixtures.corpus.path) }

    private var documents: [SourceDocument] { get throws { try Self.loaded.get().documents } }

    @Test func theWholeCorpusLoadsWithoutWarnings() throws {
        let (documents, warnings) = try Self.loaded.get()
        #expect(documents.count == 36)
        #expect(documents.filter { $0.path.hasSuffix(".md") }.count == 33)
        #expect(documents.filter { $0.path.hasSuffix(".txt") }.count == 2)
        #expect(documents.filter { $0.path.hasSuffix(".html") }.count == 1)
        #expect(documents.map(\.path) == documents.map(\.path).sorted())
        #expect(warnings == [])
    }

    @Test func titlesMatchTheFrontMatterAndTheFirstHeading() throws {
        for document in try documents {
            #expect(document.metadata["title"] == document.title, "\(document.path)")
            #expect(document.blocks.first?.kind == .heading(level: 1), "\(document.path)")
            #expect(document.blocks.first?.text == document.title, "\(document.path)")
            #expect(document.blocks.filter { $0.kind == .heading(level: 1) }.count == 1, "\(document.path)")
            for key in ["owner", "version", "effective"] { #expect(document.metadata[key] != nil, "\(document.path) \(key)") }
        }
    }

    /// A reader who follows "Related Policies" must find each one: every name there is the title
    /// of a policy in the corpus (a note in brackets after it is allowed).
    @Test func everyRelatedPolicyExists() throws {
        let titles = Set(try documents.map(\.title))
        var related = 0
        for document in try documents {
            let blocks = document.blocks
            guard let start = blocks.firstIndex(where: { $0.text == "Related Policies" && $0.kind != .paragraph }) else { continue }
            for block in blocks[(start + 1)...].prefix(while: { if case .heading = $0.kind { false } else { true } }) {
                for line in block.text.split(separator: "\n") {   // "- Name" or "- Name (note)"
                    let item = line.trimmingWhitespace().drop { $0 == "-" || $0 == " " }
                    let name = item.split(separator: " (").first.map { $0.trimmingWhitespace() } ?? ""
                    related += 1
                    let exists = titles.contains(name)
                    #expect(exists, "\(document.path) names \"\(name)\", which is not in policies/")
                }
            }
        }
        #expect(related > 50)
    }

    @Test func everyMarkdownHeadingIsAHeadingBlockWithItsLevel() throws {
        for document in try documents where document.path.hasSuffix(".md") {
            var inFence = false
            var headings: [(DocumentBlock.Kind, String)] = []
            for line in document.text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("```") { inFence.toggle() }
                let hashes = line.prefix { $0 == "#" }.count
                guard !inFence, (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { continue }
                headings.append((.heading(level: hashes), line.dropFirst(hashes).trimmingWhitespace()))
            }
            let found = document.blocks.filter { if case .heading = $0.kind { true } else { false } }
            #expect(found.map(\.kind) == headings.map(\.0), "\(document.path)")
            #expect(found.map(\.text) == headings.map(\.1), "\(document.path)")
        }
    }

    @Test func everyBlockSourceRangeHoldsTheBlockWords() throws {
        for document in try documents {
            for block in document.blocks {
                let source = document.source(of: block)
                for word in Self.words(of: block) where !source.contains(word) {
                    Issue.record("\(document.path): \"\(word)\" of \(block.kind) block at \(block.sourceRange) not in its source")
                }
            }
        }
    }

    @Test func blockTextCarriesNoMarkup() throws {
        let markup = ["**", "|---", "| ---", "](", "`", "<p", "</", "&amp;", "&nbsp;", "\n\n", "# "]
        for document in try documents {
            for block in document.blocks {
                for mark in markup where block.text.contains(mark) {
                    Issue.record("\(document.path): \(block.kind) block contains \"\(mark)\": \(block.text.prefix(80))")
                }
                #expect(!block.text.isEmpty && block.text == block.text.trimmingWhitespace(), "\(document.path)")
            }
        }
    }

    @Test func everyFormatYieldsItsStructure() throws {
        let documents = try documents
        let text = try #require(documents.first { $0.path == "facilities/emergency-procedures.txt" })
        #expect(text.blocks.filter { $0.kind == .heading(level: 2) }.count == 7)
        #expect(text.blocks.contains { $0.kind == .list && $0.text.hasPrefix("1. Activate the nearest fire alarm pull station.") })
        let html = try #require(documents.first { $0.path == "finance/travel-booking-quick-guide.html" })
        #expect(html.metadata == ["title": "Travel Booking Quick Guide", "owner": "Finance (Chief Financial Officer)",
                                  "version": "1.2", "effective": "2026-03-01"])
        #expect(html.blocks.map(\.kind).filter { $0 == .table }.count == 1)
        #expect(html.blocks.contains { $0.text.hasPrefix("Item | What the company pays\nFlight under 6 hours | Economy") })
        #expect(!html.blocks.contains { $0.text.contains("DOMContentLoaded") || $0.text.contains("font-family") })
        let tables = documents.flatMap { $0.blocks(.table) }
        #expect(tables.count > 20)
    }

    /// The block's words (letters and digits), without list numbering the loader may have written.
    static func words(of block: DocumentBlock) -> [String] {
        let lines = block.text.split(separator: "\n").map { line -> Substring in
            let trimmed = line.drop { $0 == " " }
            guard block.kind == .list else { return trimmed }
            if trimmed.hasPrefix("- ") { return trimmed.dropFirst(2) }
            let digits = trimmed.prefix { $0.isNumber }
            return trimmed.dropFirst(digits.count).hasPrefix(". ") ? trimmed.dropFirst(digits.count + 2) : trimmed
        }
        return lines.flatMap { $0.split { !$0.isLetter && !$0.isNumber }.map(String.init) }
    }
}

import Foundation
import IndexFormat
import Retrieval
import Testing
import TestSupport

/// The committed handbook artifact: the compiler's lexicon keeps the exact terms policies are
/// full of, and a query written the way people type them finds the passages that hold them.
@Suite struct HandbookLexiconTests {
    static func retriever() throws -> (ArtifactReader, Retriever) {
        let reader = try ArtifactReader(path: packageRoot().appendingPathComponent("artifacts/policies.pidx").path)
        return (reader, try Retriever(reader: reader))
    }

    @Test func theLexiconChecksOutAndHoldsExactTerms() throws {
        let (reader, _) = try Self.retriever()
        let lexicon = try #require(try reader.lexicon())
        #expect(lexicon.tokenizerVersion == SearchTokenizer.version)
        #expect(lexicon.problems().isEmpty)
        for term in ["401k", "i9", "5000", "soc", "diem", "mfa"] {
            #expect(try lexicon.index(of: term) != nil, "\(term)")
        }
    }

    /// BM25 alone (the query vector is irrelevant in lexical mode but must have the right size).
    @Test(arguments: [("401k match", "401(k)"), ("form i9 deadline", "I-9"), ("purchases above 5000", "$5,000"), ("SOC-2 report", "SOC 2")])
    func lexicalSearchFindsTheTermAsWritten(query: String, written: String) throws {
        let (reader, retriever) = try Self.retriever()
        let outcome = try retriever.search(query: query, vector: [Float](repeating: 0, count: reader.vectors.dimension), mode: .lexical, k: 3)
        let first = try #require(outcome.results.first)
        #expect(first.lexicalRank == 1)
        let text = try first.chunkIndices.map { try reader.chunkText(at: $0) }.joined()
        let heading = try reader.documents()[retriever.documentIndex(ofChunk: first.chunkIndex)].outline
            .first.map { $0.headingPath.joined() } ?? ""
        #expect(text.contains(written) || heading.contains(written), "\(query): \(text.prefix(200))")
    }
}

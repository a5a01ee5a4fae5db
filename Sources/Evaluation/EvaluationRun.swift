import Foundation  // build-time tooling: full Foundation (String(format:), log2) is fine here
import Embeddings
import IndexFormat
import Retrieval

/// Runs every question through every search mode and scores the rankings (docs/EVALUATION.md).
public struct EvaluationRun: Sendable {
    /// How many passages each question retrieves (the deepest cut-off reported).
    public static let depth = 10
    /// Passages whose best dense and lexical scores decide refusal (what an answer is built from).
    public static let refusalDepth = 5

    public let reader: ArtifactReader
    public let retriever: Retriever
    let documents: [DocumentRecord]

    public init(reader: ArtifactReader, fusion: RankFusion = .standard, documentPrior: DocumentPrior = .standard,
                lateInteraction: LateInteraction = .standard) throws(ArtifactError) {
        self.reader = reader
        retriever = try Retriever(reader: reader, fusion: fusion, documentPrior: documentPrior, lateInteraction: lateInteraction)
        documents = try reader.documents()
    }

    /// One question's outcome in one mode.
    public struct QuestionResult: Codable, Equatable, Sendable {
        public var id: String
        public var documentRank: Int?
        public var sectionRank: Int?
        /// The best dense cosine among the first `refusalDepth` passages.
        public var topDenseScore: Float
        /// The best BM25 score among the first `refusalDepth` passages.
        public var topLexicalScore: Float
        public var searchMilliseconds: Double
        /// The first passage's document and heading path, for the worst-question list.
        public var firstResult: String

        public init(id: String, documentRank: Int?, sectionRank: Int?, topDenseScore: Float, topLexicalScore: Float = 0,
                    searchMilliseconds: Double, firstResult: String) {
            self.id = id
            self.documentRank = documentRank
            self.sectionRank = sectionRank
            self.topDenseScore = topDenseScore
            self.topLexicalScore = topLexicalScore
            self.searchMilliseconds = searchMilliseconds
            self.firstResult = firstResult
        }
    }

    /// Every question in `mode`; `vectors[i]` is question i's embedding and `tokens[i]` its token
    /// signatures (an empty list: hybrid search is not re-ranked).
    public func run(_ questions: [GoldQuestion], vectors: [[Float]], tokens: [TokenSignatures] = [], mode: SearchMode,
                    depth: Int = depth) throws(EvaluationError) -> [QuestionResult] {
        var results: [QuestionResult] = []
        for (index, (question, vector)) in zip(questions, vectors).enumerated() {
            let questionTokens = tokens.indices.contains(index) ? tokens[index] : nil
            let clock = ContinuousClock()
            var outcome = RetrievalOutcome(results: [], modeUsed: mode, notice: nil)
            var failure: RetrievalError?
            let elapsed = clock.measure {
                do throws(RetrievalError) {
                    outcome = try retriever.search(query: question.question, vector: vector, tokens: questionTokens, mode: mode, k: depth)
                } catch { failure = error }
            }
            if let failure { throw .retrieval("\(mode) search failed: \(failure)") }
            results.append(QuestionResult(
                id: question.id,
                documentRank: rank(of: question, in: outcome.results, section: false),
                sectionRank: rank(of: question, in: outcome.results, section: true),
                topDenseScore: outcome.results.prefix(Self.refusalDepth).map { (passage: RankedChunk) in passage.denseScore }.max() ?? -1,
                topLexicalScore: outcome.results.prefix(Self.refusalDepth).map { (passage: RankedChunk) in passage.lexicalScore }.max() ?? 0,
                searchMilliseconds: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000,
                firstResult: outcome.results.first.map { describe($0) } ?? "(nothing)"))
        }
        return results
    }

    /// Milliseconds per question of the plain dense top-k that search was before lexical search
    /// (`DenseSearch`: one scan, no BM25, no fusion, no merging): the baseline for hybrid's cost.
    public func plainDenseMilliseconds(_ vectors: [[Float]], k: Int = depth) -> [Double] {
        let clock = ContinuousClock()
        return vectors.map { vector in
            let elapsed = clock.measure { _ = retriever.dense.search(vector, k: k) }
            return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        }
    }

    /// The ranked passages for `question` (for run files), at most `depth` distinct documents, best first.
    public func rankedDocuments(_ question: GoldQuestion, vector: [Float], tokens: TokenSignatures? = nil, mode: SearchMode,
                                depth: Int) throws(EvaluationError) -> [(path: String, score: Float)] {
        let outcome: RetrievalOutcome
        do { outcome = try retriever.search(query: question.question, vector: vector, tokens: tokens, mode: mode, k: depth * 4) } catch {
            throw .retrieval("\(mode) search failed: \(error)")
        }
        var seen = Set<Int>()
        var ranked: [(path: String, score: Float)] = []
        for passage in outcome.results {
            let document = retriever.documentIndex(ofChunk: passage.chunkIndex)
            guard seen.insert(document).inserted else { continue }
            ranked.append((documents[document].path, passage.score))
            if ranked.count == depth { break }
        }
        return ranked
    }

    /// The 1-based rank of the first passage in the gold document (or, with `section`, whose
    /// source text overlaps the gold section's); nil when none is, or the question has no gold.
    func rank(of question: GoldQuestion, in passages: [RankedChunk], section: Bool) -> Int? {
        guard question.answerable, let path = question.document, let goldDocument = documents.firstIndex(where: { $0.path == path }) else { return nil }
        var goldRange: Range<Int>?
        if section {
            guard let heading = question.headingPath,
                  let entry = documents[goldDocument].outline.first(where: { $0.headingPath.joined(separator: " > ") == heading }) else { return nil }
            goldRange = entry.sourceCharacterStart..<entry.sourceCharacterEnd
        }
        for (position, passage) in passages.enumerated() {
            for chunk in passage.chunkIndices where retriever.documentIndex(ofChunk: chunk) == goldDocument {
                guard let goldRange else { return position + 1 }
                if let record = try? reader.chunk(at: chunk), record.sourceCharacterRange.overlaps(goldRange) { return position + 1 }
            }
        }
        return nil
    }

    private func describe(_ passage: RankedChunk) -> String {
        let document = documents[retriever.documentIndex(ofChunk: passage.chunkIndex)]
        guard let outline = retriever.outlineIndex(ofChunk: passage.chunkIndex), document.outline.indices.contains(outline) else { return document.path }
        return document.path + " § " + document.outline[outline].headingPath.joined(separator: " > ")
    }
}

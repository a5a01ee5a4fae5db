import Embeddings
import IndexFormat

/// Dense, lexical and hybrid search over one artifact, with document filters and the merging of
/// adjacent chunks of one section into one passage. Built once per mapped artifact.
public struct Retriever: Sendable {
    public let dense: DenseSearch
    /// Nil when the artifact has no usable lexicon; `lexicalUnavailable` then says why.
    public let lexical: BM25Search?
    public let lexicalUnavailable: RetrievalError?
    public var fusion: RankFusion
    /// How much a chunk's document adds to its fused score (hybrid mode only).
    public var documentPrior: DocumentPrior
    /// How deep each ranking is read before fusion (at least 2k).
    public var candidateDepth: Int
    /// How hybrid mode re-ranks its first chunks with the question's token signatures.
    public var lateInteraction: LateInteraction
    /// Nil when the artifact has no token-signatures section (before format 1.2): hybrid search
    /// is then not re-ranked.
    public let tokenSignatures: TokenSignatureTable?
    /// Per chunk: its document and outline entry (the section), for filters and merging.
    private let placements: [Placement]
    /// Per document: how many chunks it has (for the document prior).
    private let documentChunkCounts: [Int: Int]

    struct Placement: Equatable, Sendable {
        var document: Int
        var outline: Int?
    }

    /// Reads every chunk record once (48 bytes each) and opens the lexicon and the token signatures
    /// when there are some.
    public init(reader: ArtifactReader, fusion: RankFusion = .standard, documentPrior: DocumentPrior = .standard,
                candidateDepth: Int = 100, lateInteraction: LateInteraction = .standard) throws(ArtifactError) {
        var placements: [Placement] = []
        placements.reserveCapacity(reader.chunkCount)
        for index in 0..<reader.chunkCount {
            let record = try reader.chunk(at: index)
            placements.append(Placement(document: record.documentIndex, outline: record.outlineIndex))
        }
        self.placements = placements
        documentChunkCounts = placements.reduce(into: [:]) { counts, placement in counts[placement.document, default: 0] += 1 }
        dense = DenseSearch(vectors: reader.vectors)
        self.fusion = fusion
        self.documentPrior = documentPrior
        self.candidateDepth = candidateDepth
        self.lateInteraction = lateInteraction
        tokenSignatures = try reader.tokenSignatures()
        if let lexicon = try reader.lexicon() {
            do {
                lexical = try BM25Search(lexicon: lexicon)
                lexicalUnavailable = nil
            } catch {
                lexical = nil
                lexicalUnavailable = error
            }
        } else {
            lexical = nil
            lexicalUnavailable = .noLexicon
        }
    }

    /// The `k` best passages for `query` (whose embedding is `vector`, and whose token signatures are
    /// `tokens`) in `mode`, among chunks of `allowedDocuments` (nil: all). Lexical mode without a
    /// lexicon fails; hybrid mode without one runs dense and says so in `notice`. Hybrid mode
    /// re-ranks its first chunks when it has the question's tokens and the artifact's signatures.
    public func search(query: String, vector: [Float], tokens: TokenSignatures? = nil, mode: SearchMode, k: Int,
                       allowedDocuments: Set<Int>? = nil) throws(RetrievalError) -> RetrievalOutcome {
        guard k > 0 else { return RetrievalOutcome(results: [], modeUsed: mode, notice: nil) }
        func isAllowed(_ chunk: Int) -> Bool { allowedDocuments?.contains(placements[chunk].document) ?? true }
        var modeUsed = mode
        var notice: String?
        if mode != .dense, lexical == nil {
            guard mode == .hybrid, let reason = lexicalUnavailable else { throw lexicalUnavailable ?? .noLexicon }
            modeUsed = .dense
            notice = "hybrid search ran as dense: \(reason)"
        }

        let denseScores = dense.vectors.dotProducts(with: vector)
        let depth = max(candidateDepth, 2 * k)
        var denseBest = TopK(capacity: depth)
        for (chunk, score) in denseScores.enumerated() where isAllowed(chunk) { denseBest.insert(SearchHit(chunkIndex: chunk, score: score)) }
        let denseRanking = denseBest.sorted()

        // Every mode reports lexical ranks, so BM25 runs whenever there is a lexicon. Fusion reads
        // only the first `depth`; lexical mode ranks every matching chunk.
        var lexicalScores = LexicalScores(scores: [], matched: [])
        var lexicalRanking: [SearchHit] = []
        if let lexical {
            do {
                lexicalScores = try lexical.chunkScores(for: query)
            } catch {
                throw .artifact(error)
            }
            if modeUsed == .lexical {
                lexicalRanking = lexicalScores.matched.filter(isAllowed).map { SearchHit(chunkIndex: $0, score: lexicalScores.scores[$0]) }
                    .sorted(by: TopK.isBetter)
            } else {
                var lexicalBest = TopK(capacity: depth)
                for chunk in lexicalScores.matched where isAllowed(chunk) {
                    lexicalBest.insert(SearchHit(chunkIndex: chunk, score: lexicalScores.scores[chunk]))
                }
                lexicalRanking = lexicalBest.sorted()
            }
        }

        let ranking: [SearchHit]
        switch modeUsed {
        case .dense: ranking = denseRanking
        case .lexical: ranking = lexicalRanking
        case .hybrid:
            let fused = fusion.fuse(dense: denseRanking, lexical: lexicalRanking)
            let documentOf = { (chunk: Int) in placements[chunk].document }
            let chunkCount = { (document: Int) in documentChunkCounts[document] ?? 1 }
            let prior = documentPrior.apply(to: fused, documentOf: documentOf, chunkCount: chunkCount)
            if let tokens, let tokenSignatures, lateInteraction.depth > 0 {
                do {
                    ranking = try lateInteraction.rerank(prior, question: tokens, signatures: tokenSignatures, documentPrior: documentPrior,
                                                         documentOf: documentOf, chunkCount: chunkCount)
                } catch {
                    throw .artifact(error)
                }
            } else {
                ranking = prior
            }
        }

        let passages = mergeAdjacent(ranking, k: k)
        let results = passages.map { passage in
            let chunk = passage.first.chunkIndex
            return RankedChunk(
                chunkIndex: chunk, chunkIndices: passage.chunks, score: passage.first.score,
                denseScore: denseScores[chunk],
                denseRank: denseRank(of: chunk, in: denseRanking, scores: denseScores, isAllowed: isAllowed),
                lexicalScore: lexicalScores.scores.isEmpty ? 0 : lexicalScores.scores[chunk],
                lexicalRank: lexicalRank(of: chunk, in: lexicalRanking, scores: lexicalScores, isAllowed: isAllowed))
        }
        return RetrievalOutcome(results: results, modeUsed: modeUsed, notice: notice)
    }

    /// Walks `ranking` best first and keeps `k` passages: a chunk next to a kept passage's chunks
    /// in the same section (same document and outline entry) joins that passage instead of
    /// taking a place of its own, since adjacent chunks overlap and would show the same text twice.
    func mergeAdjacent(_ ranking: [SearchHit], k: Int) -> [(first: SearchHit, chunks: [Int])] {
        var passages: [(first: SearchHit, chunks: [Int])] = []
        for hit in ranking {
            let chunk = hit.chunkIndex
            if let index = passages.firstIndex(where: { passage in
                placements[passage.first.chunkIndex] == placements[chunk]
                    && (passage.chunks.first! - 1 == chunk || passage.chunks.last! + 1 == chunk)
            }) {
                if chunk < passages[index].chunks.first! { passages[index].chunks.insert(chunk, at: 0) } else { passages[index].chunks.append(chunk) }
                continue
            }
            guard passages.count < k else { break }
            passages.append((hit, [chunk]))
        }
        return passages
    }

    /// 1-based dense rank of `chunk` among allowed chunks: its place in the top list, or a count
    /// of better chunks when it lies deeper.
    private func denseRank(of chunk: Int, in ranking: [SearchHit], scores: [Float], isAllowed: (Int) -> Bool) -> Int {
        if let position = ranking.firstIndex(where: { $0.chunkIndex == chunk }) { return position + 1 }
        let hit = SearchHit(chunkIndex: chunk, score: scores[chunk])
        var better = 0
        for (other, score) in scores.enumerated() where isAllowed(other) && TopK.isBetter(SearchHit(chunkIndex: other, score: score), than: hit) {
            better += 1
        }
        return better + 1
    }

    /// 1-based rank of `chunk` among the allowed chunks that match a query term: its place in
    /// the top list, or a count of better matching chunks when it lies deeper; nil when it
    /// matches none.
    private func lexicalRank(of chunk: Int, in ranking: [SearchHit], scores: LexicalScores, isAllowed: (Int) -> Bool) -> Int? {
        if let position = ranking.firstIndex(where: { $0.chunkIndex == chunk }) { return position + 1 }
        guard scores.matched.contains(chunk) else { return nil }
        let hit = SearchHit(chunkIndex: chunk, score: scores.scores[chunk])
        return 1 + scores.matched.count(where: { other in
            isAllowed(other) && TopK.isBetter(SearchHit(chunkIndex: other, score: scores.scores[other]), than: hit)
        })
    }

    /// Chunk `index`'s document.
    public func documentIndex(ofChunk index: Int) -> Int { placements[index].document }
    /// Chunk `index`'s outline entry (its section), if any.
    public func outlineIndex(ofChunk index: Int) -> Int? { placements[index].outline }
}

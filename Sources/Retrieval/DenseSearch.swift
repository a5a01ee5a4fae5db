import IndexFormat

/// One retrieved chunk: where it is in the artifact and how well it matched.
public struct SearchHit: Equatable, Sendable {
    public var chunkIndex: Int
    /// Cosine similarity with the query (rows and query are unit length).
    public var score: Float

    public init(chunkIndex: Int, score: Float) {
        self.chunkIndex = chunkIndex
        self.score = score
    }
}

/// Exact nearest neighbours over the artifact's Float16 vectors: one scan of the mapping, then the
/// best `k`. A handbook has hundreds of chunks and a large one a million; a full scan of a million
/// 384-dimension rows takes tens of milliseconds, so no approximate index is needed yet.
public struct DenseSearch: Sendable {
    public let vectors: VectorMatrix

    public init(vectors: VectorMatrix) { self.vectors = vectors }

    /// The `k` rows most similar to `query`, best first; ties go to the lower chunk index so results
    /// are deterministic. `allowedDocuments`, when given, keeps only chunks of those documents
    /// (`documentIndexOf` maps a chunk to its document).
    public func search(_ query: [Float], k: Int, allowedDocuments: Set<Int>? = nil,
                       documentIndexOf: (Int) -> Int? = { _ in nil }) -> [SearchHit] {
        precondition(query.count == vectors.dimension, "query of dimension \(query.count), vectors of \(vectors.dimension)")
        guard k > 0 else { return [] }
        let scores = vectors.dotProducts(with: query)
        var best = TopK(capacity: k)
        for (index, score) in scores.enumerated() {
            if let allowedDocuments {
                guard let document = documentIndexOf(index), allowedDocuments.contains(document) else { continue }
            }
            best.insert(SearchHit(chunkIndex: index, score: score))
        }
        return best.sorted()
    }
}

/// The best `capacity` hits seen so far, kept in a small sorted array (k is at most 50 here, so
/// insertion into a sorted array beats a heap's bookkeeping).
struct TopK {
    let capacity: Int
    private(set) var hits: [SearchHit] = []

    init(capacity: Int) {
        self.capacity = capacity
        hits.reserveCapacity(capacity + 1)
    }

    /// Better means a higher score, or the same score and a lower chunk index.
    static func isBetter(_ a: SearchHit, than b: SearchHit) -> Bool {
        a.score > b.score || (a.score == b.score && a.chunkIndex < b.chunkIndex)
    }

    mutating func insert(_ hit: SearchHit) {
        if hits.count == capacity, let worst = hits.last, !Self.isBetter(hit, than: worst) { return }
        var position = hits.count
        while position > 0, Self.isBetter(hit, than: hits[position - 1]) { position -= 1 }
        hits.insert(hit, at: position)
        if hits.count > capacity { hits.removeLast() }
    }

    func sorted() -> [SearchHit] { hits }
}

import Embeddings
import IndexFormat
import Logging
import Retrieval

/// Answers a search: admits it past the memory guard and the limiter, embeds the question (or
/// takes it from the cache), scans the vectors, and reads the few chunks it returns.
package struct SearchService: Sendable {
    let store: ArtifactStore
    let model: QuestionModel
    let cache: QuestionVectorCache
    let limiter: EmbeddingLimiter
    let memoryGuard: MemoryGuard
    let metrics: ServerMetrics

    func search(_ request: SearchRequest) async throws -> SearchResponse {
        let started = ContinuousClock.now
        do {
            try memoryGuard.admit(.expensive)
        } catch {
            metrics.shedCounter("memory_pressure").increment()
            throw error
        }
        // This request uses this artifact to the end, even if a reload swaps in another meanwhile.
        let artifact = store.current
        let allowed = try allowedDocuments(request.documents, in: artifact)
        let embedder = try await model.embedder(expectedFingerprint: artifact.manifest.model.fingerprint)
        let cached = cache.vector(for: request.query)
        if cached == nil { metrics.cacheMisses.increment() } else { metrics.cacheHits.increment() }

        let outcome: (vector: [Float], hits: [SearchHit], embed: Duration, search: Duration)
        do {
            outcome = try await limiter.withSlot {
                try await BlockingWork.run { () -> Result<(vector: [Float], hits: [SearchHit], embed: Duration, search: Duration), ArtifactError> in
                    let clock = ContinuousClock()
                    var vector: [Float] = []
                    let embed = cached.map { vector = $0; return Duration.zero } ?? clock.measure { vector = embedder.embed(request.query) }
                    var hits: [SearchHit] = []
                    var failure: ArtifactError?
                    let search = clock.measure {
                        do throws(ArtifactError) {
                            if let allowed {
                                let table = try artifact.chunkDocumentIndices()
                                hits = artifact.search.search(vector, k: request.k, allowedDocuments: allowed,
                                                              documentIndexOf: { Int(table[$0]) })
                            } else {
                                hits = artifact.search.search(vector, k: request.k)
                            }
                        } catch { failure = error }
                    }
                    if let failure { return .failure(failure) }
                    return .success((vector, hits, embed, search))
                }.mapError(QueryError.artifactDamaged).get()
            }
        } catch QueryError.overloaded(let retry) {
            metrics.shedCounter("overloaded").increment()
            throw QueryError.overloaded(retryAfterSeconds: retry)
        }
        if cached == nil {
            cache.insert(outcome.vector, for: request.query)
            metrics.embedDuration.record(outcome.embed)
        }
        let assembleStart = ContinuousClock.now
        let results = try assemble(outcome.hits, from: artifact)
        let searchDuration = outcome.search + (ContinuousClock.now - assembleStart)
        metrics.searchDuration.record(searchDuration)
        return SearchResponse(
            results: results, k: request.k, embeddingCached: cached != nil,
            timingsMs: .init(embed: Milliseconds.of(outcome.embed), search: Milliseconds.of(searchDuration),
                             total: Milliseconds.since(started)),
            artifactDigest: artifact.digest, reloadGeneration: artifact.generation)
    }

    /// The document indices `paths` name, or nil for "all"; unknown paths are an error listing them.
    private func allowedDocuments(_ paths: [String]?, in artifact: ServedArtifact) throws(QueryError) -> Set<Int>? {
        guard let paths else { return nil }
        var allowed = Set<Int>()
        var unknown: [String] = []
        for path in paths {
            if let index = artifact.documents.firstIndex(where: { $0.path == path }) { allowed.insert(index) } else { unknown.append(path) }
        }
        guard unknown.isEmpty else { throw .unknownDocuments(unknown) }
        return allowed
    }

    /// Reads each hit's record and text (decompressing only their blocks).
    private func assemble(_ hits: [SearchHit], from artifact: ServedArtifact) throws(QueryError) -> [SearchResponse.Result] {
        var results: [SearchResponse.Result] = []
        results.reserveCapacity(hits.count)
        for (rank, hit) in hits.enumerated() {
            do throws(ArtifactError) {
                let record = try artifact.reader.chunk(at: hit.chunkIndex)
                let text = try artifact.reader.chunkText(at: hit.chunkIndex)
                guard artifact.documents.indices.contains(record.documentIndex) else {
                    throw .referenceOutOfRange(chunk: hit.chunkIndex, field: "document index", value: UInt64(record.documentIndex),
                                               limit: UInt64(artifact.documents.count))
                }
                let document = artifact.documents[record.documentIndex]
                var headingPath: [String] = []
                var url = "/v1/documents/\(record.documentIndex)"
                if let outline = record.outlineIndex, document.outline.indices.contains(outline) {
                    headingPath = document.outline[outline].headingPath
                    url += "#" + artifact.anchors[record.documentIndex][outline]
                }
                results.append(SearchResponse.Result(
                    rank: rank + 1, chunkId: record.displayID, score: hit.score,
                    document: .init(index: record.documentIndex, path: document.path, title: document.title),
                    headingPath: headingPath, headingPathText: headingPath.joined(separator: " > "), text: text,
                    sourceCharacterRange: [record.sourceCharacterRange.lowerBound, record.sourceCharacterRange.upperBound],
                    url: url))
            } catch {
                throw .artifactDamaged(error)
            }
        }
        return results
    }
}

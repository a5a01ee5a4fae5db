import Embeddings
import IndexFormat
import Logging
import Retrieval

/// Answers a search: admits it past the memory guard, embeds the question and scans the vectors
/// (the batcher bounds and batches both), or, for a question in the cache, only scans them (within
/// the limiter's slots), then reads the few chunks it returns.
package struct SearchService: Sendable {
    let store: ArtifactStore
    let model: QuestionModel
    let cache: QuestionVectorCache
    let batcher: QuestionBatcher
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
        // Refused before the question is embedded: that work would be thrown away.
        if request.mode == .lexical, let unavailable = artifact.retriever.lexicalUnavailable { throw Self.queryError(unavailable) }
        let embedder = try await model.embedder(expectedFingerprint: artifact.manifest.model.fingerprint)
        let cached = cache.encoding(for: request.query)
        let retrieve: @Sendable (TextEncoding) -> Result<(retrieved: RetrievalOutcome, search: Duration), QueryError> = { encoding in
            Self.retrieve(request, encoding: encoding, allowed: allowed, in: artifact)
        }
        let retrieval: Result<(retrieved: RetrievalOutcome, search: Duration), QueryError>
        var embedDuration = Duration.zero
        do {
            if let cached {
                metrics.cacheHits.increment()
                retrieval = try await limiter.withSlot { try await BlockingWork.run { retrieve(cached) } }
            } else {
                metrics.cacheMisses.increment()
                // The search runs on the embedding pass's thread, right after it.
                let (embedded, searched) = try await batcher.embed(request.query, with: embedder) { retrieve($0.encoding) }
                embedDuration = embedded.passDuration
                cache.insert(embedded.encoding, for: request.query)
                metrics.embedDuration.record(embedDuration)
                retrieval = searched
            }
        } catch QueryError.overloaded(let retry) {
            metrics.shedCounter("overloaded").increment()
            throw QueryError.overloaded(retryAfterSeconds: retry)
        }
        let outcome = try retrieval.get()
        let assembleStart = ContinuousClock.now
        let results = try assemble(outcome.retrieved.results, from: artifact)
        let searchDuration = outcome.search + (ContinuousClock.now - assembleStart)
        metrics.searchDuration.record(searchDuration)
        return SearchResponse(
            results: results, k: request.k, mode: outcome.retrieved.modeUsed.rawValue, notice: outcome.retrieved.notice,
            embeddingCached: cached != nil,
            timingsMs: .init(embed: Milliseconds.of(embedDuration), search: Milliseconds.of(searchDuration),
                             total: Milliseconds.since(started)),
            artifactDigest: artifact.digest, reloadGeneration: artifact.generation)
    }

    /// Dense, lexical or hybrid search for `request` with the question's `encoding`, timed. Scans
    /// vectors: call it off the request threads.
    private static func retrieve(_ request: SearchRequest, encoding: TextEncoding, allowed: Set<Int>?,
                                 in artifact: ServedArtifact) -> Result<(retrieved: RetrievalOutcome, search: Duration), QueryError> {
        var retrieved = RetrievalOutcome(results: [], modeUsed: request.mode, notice: nil)
        var failure: QueryError?
        let search = ContinuousClock().measure {
            do throws(RetrievalError) {
                retrieved = try artifact.retriever.search(query: request.query, vector: encoding.vector, tokens: encoding.tokens, mode: request.mode,
                                                          k: request.k, allowedDocuments: allowed)
            } catch {
                failure = queryError(error)
            }
        }
        if let failure { return .failure(failure) }
        return .success((retrieved, search))
    }

    /// A retrieval failure as the daemon reports it: lexical search on an artifact without a
    /// lexicon is the client's choice of mode (400); damage is the artifact's.
    private static func queryError(_ error: RetrievalError) -> QueryError {
        switch error {
        case .noLexicon, .tokenizerMismatch: .invalidField(field: "mode", reason: "\"lexical\" is unavailable: \(error)")
        case .artifact(let damage): .artifactDamaged(damage)
        }
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

    /// Reads each passage's records and texts (decompressing only their blocks); a passage of
    /// several adjacent chunks shows their texts joined without the overlap.
    private func assemble(_ passages: [RankedChunk], from artifact: ServedArtifact) throws(QueryError) -> [SearchResponse.Result] {
        var results: [SearchResponse.Result] = []
        results.reserveCapacity(passages.count)
        for (rank, passage) in passages.enumerated() {
            do throws(ArtifactError) {
                let record = try artifact.reader.chunk(at: passage.chunkIndex)
                var texts: [String] = []
                var ids: [String] = []
                var start = record.sourceCharacterRange.lowerBound, end = record.sourceCharacterRange.upperBound
                for chunk in passage.chunkIndices {
                    let member = try artifact.reader.chunk(at: chunk)
                    texts.append(try artifact.reader.chunkText(at: chunk))
                    ids.append(member.displayID)
                    start = min(start, member.sourceCharacterRange.lowerBound)
                    end = max(end, member.sourceCharacterRange.upperBound)
                }
                guard artifact.documents.indices.contains(record.documentIndex) else {
                    throw .referenceOutOfRange(chunk: passage.chunkIndex, field: "document index", value: UInt64(record.documentIndex),
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
                    rank: rank + 1, chunkId: record.displayID, score: passage.denseScore, rankScore: passage.score,
                    denseScore: passage.denseScore, denseRank: passage.denseRank,
                    lexicalScore: passage.lexicalScore, lexicalRank: passage.lexicalRank, chunkIds: ids,
                    document: .init(index: record.documentIndex, path: document.path, title: document.title),
                    headingPath: headingPath, headingPathText: headingPath.joined(separator: " > "), text: PassageText.join(texts),
                    sourceCharacterRange: [start, end],
                    url: url))
            } catch {
                throw .artifactDamaged(error)
            }
        }
        return results
    }
}

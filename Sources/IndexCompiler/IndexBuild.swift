import Dispatch
import Embeddings
import Foundation
import IndexFormat
import Retrieval

/// The embedding model as the compiler needs it.
public protocol ChunkEmbedding: TokenCounting {
    var modelName: String { get }
    /// Identifies the weights and vocabulary; stored in the manifest.
    var fingerprint: String { get }
    /// What the embedding cache keys vectors on: the fingerprint and anything else that can change
    /// a vector's bits (the encoder's revision). Defaults to the fingerprint.
    var cacheIdentity: String { get }
    /// The precision chunks are embedded in, when not the weights as stored ("bfloat16",
    /// "float16"); nil for Float32. Stored in the manifest. Defaults to nil.
    var reducedPrecision: String? { get }
    var dimension: Int { get }
    /// The longest token sequence the model reads, without `[CLS]` and `[SEP]`.
    var maximumTokenCount: Int { get }
    /// The L2-normalised embedding of `text`. Must depend on `text` alone (never on what else is
    /// embedded at the same time), so cached and fresh vectors are the same bits.
    func embed(_ text: String) -> [Float]
    /// `embed(text)`'s vector and, when the embedder can make them, the text's token signatures
    /// from the same pass (the artifact's token-signatures section). Defaults to no signatures.
    func encode(_ text: String) -> EmbeddingCache.Entry
    /// Whether `encode` gives token signatures; a cached entry without them is then embedded
    /// again. Defaults to false.
    var makesTokenSignatures: Bool { get }
}

extension ChunkEmbedding {
    public var cacheIdentity: String { fingerprint }
    public var reducedPrecision: String? { nil }
    public func encode(_ text: String) -> EmbeddingCache.Entry { EmbeddingCache.Entry(vector: embed(text), tokens: nil) }
    public var makesTokenSignatures: Bool { false }
}

/// What to compile and how.
public struct BuildOptions: Sendable {
    public var corpusFolder: String
    /// The SQLite embedding cache, or nil to embed everything.
    public var cachePath: String?
    /// Embedding workers (each embeds one chunk at a time).
    public var jobCount: Int
    public var chunking: ChunkingSettings
    /// Drop cache entries this corpus no longer uses (a build does; a freshness check must not).
    public var prunesCache: Bool

    public init(corpusFolder: String, cachePath: String?, jobCount: Int = 1, chunking: ChunkingSettings = ChunkingSettings(),
                prunesCache: Bool = true) {
        self.corpusFolder = corpusFolder
        self.cachePath = cachePath
        self.jobCount = max(1, jobCount)
        self.chunking = chunking
        self.prunesCache = prunesCache
    }
}

/// What a build did, for the summary line.
public struct BuildSummary: Sendable {
    public var documentCount = 0
    public var chunkCount = 0
    /// Tokens embedded across all chunks (without special tokens).
    public var tokenCount = 0
    public var embeddedCount = 0
    public var cachedCount = 0
    public var artifactByteCount = 0
    public var seconds = 0.0
    public var warnings: [String] = []
}

/// Sources in, artifact out: load, chunk, embed (through the cache), encode.
public enum IndexBuild {
    public static let compilerName = "policyc"
    public static let compilerVersion = "0.1.0"

    /// Builds and writes the artifact to `outputPath` atomically.
    public static func build(_ options: BuildOptions, embedder: any ChunkEmbedding, outputPath: String,
                             progress: ProgressPrinter) throws(CompileError) -> BuildSummary {
        let clock = ContinuousClock.now
        let (contents, partial) = try Self.contents(options, embedder: embedder, progress: progress)
        let bytes: [UInt8]
        do {
            bytes = try ArtifactWriter.encode(contents)
            try ArtifactWriter.writeBytes(bytes, to: outputPath)
        } catch {
            throw .artifact(error)
        }
        var summary = partial
        summary.artifactByteCount = bytes.count
        summary.seconds = (ContinuousClock.now - clock).seconds
        return summary
    }

    /// Everything the artifact will hold, built in memory.
    public static func contents(_ options: BuildOptions, embedder: any ChunkEmbedding,
                                progress: ProgressPrinter) throws(CompileError) -> (ArtifactContents, BuildSummary) {
        let clock = ContinuousClock.now
        var summary = BuildSummary()
        let (documents, warnings) = try DocumentLoader.loadFolder(options.corpusFolder)
        summary.warnings = warnings
        summary.documentCount = documents.count

        var settings = options.chunking
        settings.maximumTokenCount = min(settings.maximumTokenCount, embedder.maximumTokenCount)
        let chunker = Chunker(settings: settings, counter: embedder)
        var records: [DocumentRecord] = []
        var chunks: [ChunkInput] = []
        var embeddedTexts: [String] = []
        for (documentIndex, document) in documents.enumerated() {
            let (outline, planned) = chunker.chunk(document)
            records.append(DocumentRecord(path: document.path, title: document.title, sha256: document.sourceSHA256,
                                          metadata: document.metadata, outline: outline))
            for chunk in planned {
                chunks.append(ChunkInput(id: chunk.id, documentIndex: documentIndex, outlineIndex: chunk.outlineIndex, text: chunk.text,
                                         tokenCount: chunk.tokenCount, sourceCharacterRange: chunk.sourceCharacterRange))
                embeddedTexts.append(chunk.embeddedText)
                summary.tokenCount += chunk.tokenCount
            }
        }
        summary.chunkCount = chunks.count

        let cache: EmbeddingCache? = try options.cachePath.map { path throws(CompileError) in
            try EmbeddingCache(path: path, modelFingerprint: embedder.cacheIdentity, dimension: embedder.dimension)
        }
        if let cache { summary.warnings += cache.warnings }
        let (vectors, tokens) = try embedAll(embeddedTexts, embedder: embedder, cache: cache, jobCount: options.jobCount,
                                   fileCount: documents.count, clock: clock, progress: progress, summary: &summary)
        if let cache, options.prunesCache { try cache.prune(keeping: Set(embeddedTexts.map(EmbeddingCache.textHash(of:)))) }

        let manifest = Manifest(
            compiler: .init(name: compilerName, version: compilerVersion),
            model: .init(name: embedder.modelName, fingerprint: embedder.fingerprint, dimension: embedder.dimension,
                         precision: embedder.reducedPrecision),
            chunking: .init(targetTokenCount: settings.targetTokenCount, overlapTokenCount: settings.overlapTokenCount,
                            maximumTokenCount: settings.maximumTokenCount),
            sources: documents.map { .init(path: $0.path, sha256: $0.sourceSHA256, byteCount: $0.sourceByteCount) })
        // BM25 indexes what the model embedded (heading path line, then the text), so a section's
        // headings count as its words.
        var sections: [SectionPayload] = []
        do {
            sections.append(try LexiconBuilder.section(for: embeddedTexts))
            // Late-interaction re-ranking needs every chunk's signatures; an embedder without them
            // leaves the section out, and hybrid search is not re-ranked.
            let signatures = tokens.compactMap { $0 }
            if !signatures.isEmpty, signatures.count == tokens.count {
                sections.append(try TokenSignatureBuilder.section(for: signatures))
            }
        } catch {
            throw .artifact(error)
        }
        summary.seconds = (ContinuousClock.now - clock).seconds
        return (ArtifactContents(manifest: manifest, documents: records, chunks: chunks, vectors: vectors,
                                 additionalSections: sections), summary)
    }

    /// Every text's vector as Float16, row-major, and its token signatures (nil where the embedder
    /// made none): from the cache where it has them, else embedded by `jobCount` workers, each
    /// result stored in the cache as soon as a few are ready (an interrupted build keeps what it
    /// embedded).
    private static func embedAll(_ texts: [String], embedder: any ChunkEmbedding, cache: EmbeddingCache?, jobCount: Int,
                                 fileCount: Int, clock: ContinuousClock.Instant, progress: ProgressPrinter,
                                 summary: inout BuildSummary) throws(CompileError) -> ([Float16], [TokenSignatures?]) {
        let hashes = texts.map(EmbeddingCache.textHash(of:))
        // A cached vector without the signatures this embedder makes (stored by one that made
        // none under the same identity) is embedded again, so the section is never left out.
        var found = (cache?.entries(forTextHashes: hashes) ?? [:]).filter { !embedder.makesTokenSignatures || $0.value.tokens != nil }
        let missing = (0..<texts.count).filter { found[hashes[$0]] == nil }
        let cachedCount = texts.count - missing.count
        let state = EmbeddingState(progress: progress, base: BuildProgress(
            fileCount: fileCount, chunkCount: texts.count, embeddedCount: 0, cachedCount: cachedCount, elapsedSeconds: 0), clock: clock)
        state.report()

        DispatchQueue.concurrentPerform(iterations: min(jobCount, max(1, missing.count))) { job in
            var pending: [(textHash: String, entry: EmbeddingCache.Entry)] = []
            for position in stride(from: job, to: missing.count, by: jobCount) {
                let index = missing[position]
                pending.append((hashes[index], embedder.encode(texts[index])))
                if pending.count == 16 || position + jobCount >= missing.count {
                    state.finished(pending, cache: cache)
                    pending.removeAll()
                }
            }
        }
        progress.finish()
        if let failure = state.storeFailure { throw failure }
        for (hash, entry) in state.results { found[hash] = entry }

        summary.embeddedCount = missing.count
        summary.cachedCount = cachedCount
        var vectors: [Float16] = []
        vectors.reserveCapacity(texts.count * embedder.dimension)
        var tokens: [TokenSignatures?] = []
        for hash in hashes {
            guard let entry = found[hash], entry.vector.count == embedder.dimension else {
                throw .embeddingFailed(reason: "the model returned a vector of the wrong size")
            }
            vectors.append(contentsOf: entry.vector.map { Float16($0) })
            tokens.append(entry.tokens)
        }
        return (vectors, tokens)
    }
}

/// Results and progress shared by the embedding workers, behind one lock.
private final class EmbeddingState: @unchecked Sendable {
    private let lock = NSLock()
    private let progress: ProgressPrinter
    private var current: BuildProgress
    private let clock: ContinuousClock.Instant
    private(set) var results: [String: EmbeddingCache.Entry] = [:]
    private(set) var storeFailure: CompileError?

    init(progress: ProgressPrinter, base: BuildProgress, clock: ContinuousClock.Instant) {
        self.progress = progress
        self.current = base
        self.clock = clock
    }

    func finished(_ batch: [(textHash: String, entry: EmbeddingCache.Entry)], cache: EmbeddingCache?) {
        var failure: CompileError? = nil
        if let cache {
            do { try cache.store(entries: batch) } catch { failure = error }
        }
        lock.withLock {
            for (hash, entry) in batch { results[hash] = entry }
            if storeFailure == nil { storeFailure = failure }
            current.embeddedCount += batch.count
        }
        report()
    }

    func report() {
        lock.withLock {
            current.elapsedSeconds = (ContinuousClock.now - clock).seconds
            progress.report(current)
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

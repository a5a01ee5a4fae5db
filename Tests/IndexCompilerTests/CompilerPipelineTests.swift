import Embeddings
import Foundation
import IndexCompiler
import IndexFormat
import Testing
import TestSupport

/// The whole compiler on real files with the real model: cache hits and invalidation, a damaged
/// cache, determinism, and freshness checks.
@Suite(.serialized) struct CompilerPipelineTests {
    /// A three-document corpus (Markdown, text, HTML) in a temporary folder.
    static func writeCorpus(in folder: TemporaryDirectory) throws -> String {
        let root = folder.url.appendingPathComponent("policies")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("hr"), withIntermediateDirectories: true)
        try """
            ---
            title: Travel Policy
            owner: People Operations
            version: 1.0
            effective: 2026-01-01
            ---
            # Travel Policy

            Book all trips through Navan at least 14 days ahead.

            ## Per Diem

            The per diem is $75 a day in the US and $90 abroad. No receipts are needed.

            | City | Rate |
            | --- | --- |
            | London | $110 |
            | Singapore | $105 |

            ## Class of Travel

            Economy under 6 hours; premium economy from 6 hours; business class from 10 hours with VP approval.
            """.write(to: root.appendingPathComponent("hr/travel.md"), atomically: true, encoding: .utf8)
        try """
            ---
            title: Clean Desk Standard
            owner: Information Security
            version: 2.0
            effective: 2026-02-01
            ---
            Clean Desk Standard
            ===================

            Scope
            -----

            Every office, every desk, every day.

            Rules
            -----

            - Lock Confidential papers away.
            - Lock your screen when you leave it.
            """.write(to: root.appendingPathComponent("clean-desk.txt"), atomically: true, encoding: .utf8)
        try """
            <html><head><title>Visitors</title><meta name="policy-owner" content="Facilities">
            <meta name="policy-version" content="1.1"><meta name="policy-effective" content="2026-03-01">
            <script>var x = "<p>not text</p>";</script></head>
            <body><h1>Visitors</h1><p>Register visitors in Envoy 24 hours ahead.</p>
            <h2>Escorts</h2><p>Visitors are escorted at all times.</p></body></html>
            """.write(to: root.appendingPathComponent("visitors.html"), atomically: true, encoding: .utf8)
        return root.path
    }

    static func build(_ corpus: String, cache: String?, embedder: any ChunkEmbedding, to output: String) throws -> BuildSummary {
        try IndexBuild.build(BuildOptions(corpusFolder: corpus, cachePath: cache, jobCount: 2), embedder: embedder,
                             outputPath: output, progress: ProgressPrinter(style: .quiet) { _ in })
    }

    @Test func unchangedCorpusEmbedsNothingTheSecondTimeAndGivesTheSameBytes() throws {
        let folder = try TemporaryDirectory()
        let corpus = try Self.writeCorpus(in: folder)
        let embedder = CountingEmbedder(try TestModel.embedder())
        let cache = folder.path("cache/embeddings.sqlite")

        let first = try Self.build(corpus, cache: cache, embedder: embedder, to: folder.path("a.pidx"))
        #expect(first.documentCount == 3)
        #expect(first.embeddedCount == first.chunkCount)
        #expect(first.cachedCount == 0)
        let embeddedFirst = embedder.embeddedTexts.count

        let second = try Self.build(corpus, cache: cache, embedder: embedder, to: folder.path("b.pidx"))
        #expect(second.embeddedCount == 0)
        #expect(second.cachedCount == first.chunkCount)
        #expect(embedder.embeddedTexts.count == embeddedFirst)
        #expect(try Data(contentsOf: folder.url.appendingPathComponent("a.pidx")) == Data(contentsOf: folder.url.appendingPathComponent("b.pidx")))

        // Without any cache, the bytes are the same again: cached and fresh vectors and token
        // signatures are identical.
        _ = try Self.build(corpus, cache: nil, embedder: embedder, to: folder.path("c.pidx"))
        #expect(try Data(contentsOf: folder.url.appendingPathComponent("a.pidx")) == Data(contentsOf: folder.url.appendingPathComponent("c.pidx")))
    }

    @Test func theArtifactKeepsEachChunksTokenSignaturesWithoutThePiecesOfMostChunks() throws {
        let folder = try TemporaryDirectory()
        let corpus = try Self.writeCorpus(in: folder)
        let model = try TestModel.embedder()
        _ = try Self.build(corpus, cache: nil, embedder: model, to: folder.path("a.pidx"))
        let reader = try ArtifactReader(path: folder.path("a.pidx"))
        #expect(reader.header.minorVersion == 2)
        let table = try #require(try reader.tokenSignatures())
        #expect(table.structureProblems().isEmpty && table.dimension == 384 && table.chunkCount == reader.chunkCount)
        let documents = try reader.documents()
        for chunk in 0..<reader.chunkCount {
            // What the model read: the heading path line, then the text.
            let record = try reader.chunk(at: chunk)
            let path = record.outlineIndex.map { documents[record.documentIndex].outline[$0].headingPath.joined(separator: " > ") }
            let embedded = model.encode((path.map { $0 + "\n" } ?? "") + (try reader.chunkText(at: chunk))).tokens!
            let kept = (0..<embedded.tokenCount).filter { token in
                try! table.documentFrequency(ofPiece: embedded.pieceIDs[token]) * 10 <= 3 * reader.chunkCount
            }
            let expected = (kept.isEmpty ? Array(0..<embedded.tokenCount) : kept).flatMap { embedded.words[($0 * 6)..<($0 * 6 + 6)] }
            #expect(try table.signatures(ofChunk: chunk) == expected, "chunk \(chunk)")
        }
        // A piece in every chunk ([CLS]-like words such as "policy" here) is counted in each.
        let everywhere = try (0..<table.vocabularySize).filter { try table.documentFrequency(ofPiece: Int32($0)) == reader.chunkCount }
        #expect(!everywhere.isEmpty)

        // An embedder without signatures makes an artifact without the section, which still serves.
        _ = try Self.build(corpus, cache: nil, embedder: VectorsOnly(base: model), to: folder.path("b.pidx"))
        #expect(try ArtifactReader(path: folder.path("b.pidx")).tokenSignatures() == nil)
    }

    @Test func cachedVectorsWithoutSignaturesAreEmbeddedAgain() throws {
        let folder = try TemporaryDirectory()
        let corpus = try Self.writeCorpus(in: folder)
        let model = try TestModel.embedder()
        let cache = folder.path("cache/embeddings.sqlite")
        // Rows stored under the model's identity by an embedder that makes no signatures.
        let first = try Self.build(corpus, cache: cache, embedder: VectorsOnly(base: model), to: folder.path("a.pidx"))
        let counting = CountingEmbedder(model)
        let second = try Self.build(corpus, cache: cache, embedder: counting, to: folder.path("b.pidx"))
        #expect(second.embeddedCount == first.chunkCount && second.cachedCount == 0)
        #expect(try ArtifactReader(path: folder.path("b.pidx")).tokenSignatures() != nil)
        _ = try Self.build(corpus, cache: nil, embedder: model, to: folder.path("c.pidx"))
        #expect(try Data(contentsOf: folder.url.appendingPathComponent("b.pidx")) == Data(contentsOf: folder.url.appendingPathComponent("c.pidx")))
    }

    @Test func editingOneDocumentReembedsOnlyItsChangedChunks() throws {
        let folder = try TemporaryDirectory()
        let corpus = try Self.writeCorpus(in: folder)
        let embedder = CountingEmbedder(try TestModel.embedder())
        let cache = folder.path("embeddings.sqlite")
        _ = try Self.build(corpus, cache: cache, embedder: embedder, to: folder.path("a.pidx"))
        let before = embedder.embeddedTexts.count

        let travel = URL(fileURLWithPath: corpus + "/hr/travel.md")
        let edited = try String(contentsOf: travel, encoding: .utf8).replacingOccurrences(of: "$90 abroad", with: "$95 abroad")
        try edited.write(to: travel, atomically: true, encoding: .utf8)
        let summary = try Self.build(corpus, cache: cache, embedder: embedder, to: folder.path("b.pidx"))
        let reembedded = embedder.embeddedTexts.dropFirst(before)
        #expect(summary.embeddedCount == 1)
        #expect(reembedded.count == 1)
        #expect(reembedded.first?.contains("$95 abroad") == true)
    }

    @Test func aNewEncoderRevisionReembedsEverythingWithTheSameModel() throws {
        let folder = try TemporaryDirectory()
        let corpus = try Self.writeCorpus(in: folder)
        let cache = folder.path("embeddings.sqlite")
        let model = try TestModel.embedder()
        #expect(model.cacheIdentity.hasPrefix(model.fingerprint) && model.cacheIdentity != model.fingerprint)
        let first = try Self.build(corpus, cache: cache, embedder: CountingEmbedder(model), to: folder.path("a.pidx"))

        let revised = CountingEmbedder(model, identityOverride: model.cacheIdentity + "-next")
        let second = try Self.build(corpus, cache: cache, embedder: revised, to: folder.path("b.pidx"))
        #expect(second.cachedCount == 0)
        #expect(second.embeddedCount == first.chunkCount)
        #expect(revised.embeddedTexts.count == first.chunkCount)
    }

    /// `policyc build --precision bfloat16` records the precision in the manifest, keys its cache
    /// entries apart from Float32's, and `policy-verify --against` rebuilds in the recorded precision.
    @Test func aBFloat16BuildRecordsItsPrecisionAndIsVerifiedInIt() throws {
        let folder = try TemporaryDirectory()
        let corpus = try Self.writeCorpus(in: folder)
        let cache = folder.path("embeddings.sqlite"), output = folder.path("a.pidx")
        let build = try ProcessRunner.run("policyc", ["build", corpus, "-o", output, "--model", TestModel.path, "--cache", cache,
                                                      "--precision", "bfloat16"])
        #expect(build.status == 0, "\(build.standardError)")
        let expected = WeightPrecision.bfloat16.effective.rawValue   // float16 on a CPU without AVX512_BF16
        #expect(try ArtifactReader(path: output).manifest().model.precision == expected)
        let inspect = try ProcessRunner.run("policyc", ["inspect", output])
        #expect(inspect.status == 0 && inspect.standardOutput.contains("embedded in \(expected)"), "\(inspect.standardOutput)")

        let verify = try ProcessRunner.run("policy-verify", [output, "--against", corpus, "--model", TestModel.path, "--cache", cache])
        #expect(verify.status == 0, "\(verify.standardOutput)")

        // Float32 shares the cache file but none of its entries, and the freshness check names the change.
        let model = try TestModel.embedder()
        #expect(model.reducedPrecision == nil && !model.cacheIdentity.hasSuffix(expected))
        let float32 = try Self.build(corpus, cache: cache, embedder: model, to: folder.path("b.pidx"))
        #expect(float32.cachedCount == 0 && float32.embeddedCount == float32.chunkCount)
        let (contents, _) = try IndexBuild.contents(BuildOptions(corpusFolder: corpus, cachePath: cache, prunesCache: false),
                                                    embedder: model, progress: ProgressPrinter(style: .quiet) { _ in })
        let report = try ArtifactFreshness.compare(try ArtifactReader(path: output), with: contents)
        #expect(report.settingsChanges.count == 1 && report.settingsChanges.first?.contains("\(expected)) is now") == true,
                "\(report.settingsChanges)")
    }

    @Test func aDamagedCacheIsReportedAndRebuilt() throws {
        let folder = try TemporaryDirectory()
        let corpus = try Self.writeCorpus(in: folder)
        let cache = folder.path("embeddings.sqlite")
        try Data("this is not a database, just text that someone wrote here".utf8).write(to: URL(fileURLWithPath: cache))
        let summary = try Self.build(corpus, cache: cache, embedder: try TestModel.embedder(), to: folder.path("a.pidx"))
        #expect(summary.warnings.contains { $0.contains(cache) })
        #expect(summary.embeddedCount == summary.chunkCount)
        let again = try Self.build(corpus, cache: cache, embedder: try TestModel.embedder(), to: folder.path("b.pidx"))
        #expect(again.cachedCount == again.chunkCount)
    }

    @Test func everyChunkFitsTheModelAndNamesARealSection() throws {
        let embedder = try TestModel.embedder()
        let folder = try TemporaryDirectory()
        let corpus = packageRoot().appendingPathComponent("policies").path
        let cache = packageRoot().appendingPathComponent(".cache/embeddings.sqlite").path
        // The real handbook, through the shared cache (fast when `policyc build` ran before).
        let output = folder.path("policies.pidx")
        let summary = try Self.build(corpus, cache: cache, embedder: embedder, to: output)
        #expect(summary.documentCount >= 30)
        let reader = try ArtifactReader(path: output)
        let documents = try reader.documents()
        var problems: [String] = []
        for index in 0..<reader.chunkCount {
            let record = try reader.chunk(at: index)
            let text = try reader.chunkText(at: index)
            let document = documents[record.documentIndex]
            guard let outline = record.outlineIndex else { problems.append("chunk \(index) has no section"); continue }
            let path = document.outline[outline].headingPath
            // The real tokenizer's count of what was embedded, untruncated, within the model's limit.
            let embedded = path.joined(separator: " > ") + "\n" + text
            let tokens = embedder.embedder.tokenizer.tokenIDs(for: embedded).count - 2
            if tokens >= embedder.maximumTokenCount || tokens != record.tokenCount { problems.append("chunk \(index): \(tokens) tokens, record says \(record.tokenCount)") }
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("chunk \(index) is empty") }
            if path.first != document.title { problems.append("chunk \(index): path \(path) does not start with \(document.title)") }
        }
        #expect(problems.isEmpty, "\(problems.prefix(10))")
    }

    @Test func freshnessCheckNamesEditedAddedAndRemovedDocuments() throws {
        let folder = try TemporaryDirectory()
        let corpus = try Self.writeCorpus(in: folder)
        let embedder = try TestModel.embedder()
        let cache = folder.path("embeddings.sqlite")
        let output = folder.path("a.pidx")
        _ = try Self.build(corpus, cache: cache, embedder: embedder, to: output)
        func freshness() throws -> FreshnessReport {
            let (contents, _) = try IndexBuild.contents(BuildOptions(corpusFolder: corpus, cachePath: cache, prunesCache: false),
                                                        embedder: embedder, progress: ProgressPrinter(style: .quiet) { _ in })
            return try ArtifactFreshness.compare(try ArtifactReader(path: output), with: contents)
        }
        #expect(try freshness().isCurrent)

        let travel = URL(fileURLWithPath: corpus + "/hr/travel.md")
        try (try String(contentsOf: travel, encoding: .utf8) + "\nOne more sentence.\n").write(to: travel, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: corpus + "/visitors.html")
        try "---\ntitle: Parking\n---\n# Parking\n\nPark in the garage.\n".write(toFile: corpus + "/hr/parking.md", atomically: true, encoding: .utf8)
        let report = try freshness()
        #expect(report.changed == ["hr/travel.md"])
        #expect(report.added == ["hr/parking.md"])
        #expect(report.removed == ["visitors.html"])
        #expect(!report.isCurrent)

        // The same through the command line: exit 1 and the lists.
        let result = try ProcessRunner.run("policy-verify", [output, "--against", corpus, "--model", TestModel.path, "--cache", cache])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("changed  hr/travel.md"))
        #expect(result.standardOutput.contains("added    hr/parking.md"))
        #expect(result.standardOutput.contains("removed  visitors.html"))
    }
}

/// The real model's vectors under its cache identity, without token signatures.
struct VectorsOnly: ChunkEmbedding {
    let base: ModelEmbedder
    var modelName: String { base.modelName }
    var fingerprint: String { base.fingerprint }
    var cacheIdentity: String { base.cacheIdentity }
    var dimension: Int { base.dimension }
    var maximumTokenCount: Int { base.maximumTokenCount }
    func tokenCount(_ text: String) -> Int { base.tokenCount(text) }
    func embed(_ text: String) -> [Float] { base.embed(text) }
}

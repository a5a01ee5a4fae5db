import Foundation
import Testing
@testable import Embeddings

/// The fixture written by tools/reference/make-golden-embeddings.py from sentence-transformers.
struct GoldenFixture: Decodable {
    struct Sample: Decodable, CustomTestStringConvertible {
        var name: String
        var text: String
        var tokenIDs: [Int32]
        var embedding: [Float]
        var testDescription: String { name }
    }
    var versions: [String: String]
    var samples: [Sample]

    static let shared: GoldenFixture = {
        let path = ModelFolder.packageRoot + "/Tests/EmbeddingsTests/Fixtures/golden-embeddings.json"
        do {
            return try JSONDecoder().decode(GoldenFixture.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            fatalError("cannot read \(path): \(error); re-run tools/reference/make-golden-embeddings.py")
        }
    }()
}

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, aa = 0.0, bb = 0.0
    for (x, y) in zip(a, b) { dot += Double(x) * Double(y); aa += Double(x) * Double(x); bb += Double(y) * Double(y) }
    return dot / (aa.squareRoot() * bb.squareRoot())
}

func maximumAbsoluteDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// Our tokenizer and encoder against the reference (Float32 path): ids exact, cosine ≥ 0.99999,
/// max absolute difference ≤ 1e-4.
@Suite struct GoldenEmbeddingTests {
    @Test func fixtureCoversTheRequiredCases() {
        let samples = GoldenFixture.shared.samples
        #expect(samples.count >= 40)
        #expect(samples.contains { $0.text.isEmpty })
        #expect(samples.contains { $0.tokenIDs.count == 256 })
        #expect(GoldenFixture.shared.versions["sentence-transformers"] != nil)
    }

    @Test(arguments: GoldenFixture.shared.samples)
    func tokenIDsEqualReference(_ sample: GoldenFixture.Sample) throws {
        let embedder = try ModelFolder.embedder()
        #expect(embedder.tokenIDs(for: sample.text) == sample.tokenIDs)
    }

    @Test func embeddingsMatchReference() throws {
        let embedder = try ModelFolder.embedder()
        let samples = GoldenFixture.shared.samples
        var lowestCosine = 1.0, largestDifference: Float = 0
        for (sample, vector) in zip(samples, embedder.embed(samples.map(\.text))) {
            #expect(vector.count == sample.embedding.count, "\(sample.name)")
            #expect(cosine(vector, sample.embedding) >= 0.99999, "\(sample.name)")
            #expect(maximumAbsoluteDifference(vector, sample.embedding) <= 1e-4, "\(sample.name)")
            lowestCosine = min(lowestCosine, cosine(vector, sample.embedding))
            largestDifference = max(largestDifference, maximumAbsoluteDifference(vector, sample.embedding))
        }
        print("float32 weights: lowest cosine with the reference \(lowestCosine), largest absolute difference \(largestDifference)")
    }

    @Test func singleTextPathMatchesReference() throws {
        let embedder = try ModelFolder.embedder()
        for sample in GoldenFixture.shared.samples where sample.tokenIDs.count < 40 {
            let vector = embedder.embed(sample.text)
            #expect(cosine(vector, sample.embedding) >= 0.99999, "\(sample.name)")
            #expect(maximumAbsoluteDifference(vector, sample.embedding) <= 1e-4, "\(sample.name)")
        }
    }

    /// The reduced-precision paths: every text keeps cosine ≥ 0.9995 with the reference, one text
    /// at a time (the daemon's questions) and in one batch.
    @Test(arguments: [WeightPrecision.float16, .bfloat16])
    func reducedPrecisionStaysCloseToReference(_ precision: WeightPrecision) throws {
        let embedder = try ModelFolder.embedder(precision: precision)
        let samples = GoldenFixture.shared.samples
        var worst = (cosine: 1.0, name: ""), worstBatched = (cosine: 1.0, name: "")
        for (sample, batched) in zip(samples, embedder.embed(samples.map(\.text))) {
            let similarity = cosine(embedder.embed(sample.text), sample.embedding)
            let batchedSimilarity = cosine(batched, sample.embedding)
            #expect(similarity >= 0.9995, "\(sample.name)")
            #expect(batchedSimilarity >= 0.9995, "\(sample.name), batched")
            if similarity < worst.cosine { worst = (similarity, sample.name) }
            if batchedSimilarity < worstBatched.cosine { worstBatched = (batchedSimilarity, sample.name) }
        }
        print("\(precision) weights: lowest cosine with the reference \(worst.cosine) (\(worst.name)), "
            + "batched \(worstBatched.cosine) (\(worstBatched.name))")
    }

    /// The compiler's chunks (and the daemon's batched questions) in bfloat16: a text's vector is
    /// the same bits alone or in a batch of any size, since every row's sums run in the same order
    /// whatever the batch (the kernel's row blocks and groups only choose which rows share a pass).
    @Test func bfloat16BatchesGiveEveryTextItsOwnBits() throws {
        let embedder = try ModelFolder.embedder(precision: .bfloat16)
        let texts = GoldenFixture.shared.samples.map(\.text)
        let batched = embedder.embed(texts, maximumPassTokenCount: 4096)
        for (text, vector) in zip(texts, batched) {
            #expect(embedder.embed(text).map(\.bitPattern) == vector.map(\.bitPattern), "\(text.prefix(40))")
        }
    }

    /// The bfloat16 kernel (AVX512_BF16) and the Float16 path a CPU without it falls back to give
    /// the same vectors up to their rounding.
    @Test func bfloat16AndItsFloat16FallbackAgree() throws {
        #expect(BFloat16Matrix.isSupported, "this CPU lacks AVX512_BF16: both embedders run the Float16 fallback")
        let fast = try ModelFolder.embedder(precision: .bfloat16)
        let fallback = try ModelFolder.embedder(precision: .float16)
        var lowest = 1.0
        for sample in GoldenFixture.shared.samples {
            let similarity = cosine(fast.embed(sample.text), fallback.embed(sample.text))
            #expect(similarity >= 0.9995, "\(sample.name)")
            lowest = min(lowest, similarity)
        }
        print("bfloat16 against its Float16 fallback: lowest cosine \(lowest)")
    }

    @Test func repeatedRunsAreBitIdentical() throws {
        let embedder = try ModelFolder.embedder()
        let texts = ["How many days can I work from abroad?", "Who approves expenses over $5,000?", ""]
        for text in texts {
            let first = embedder.embed(text).map(\.bitPattern)
            for _ in 0..<3 { #expect(embedder.embed(text).map(\.bitPattern) == first, "\(text)") }
        }
        let batch = embedder.embed(texts).map { $0.map(\.bitPattern) }
        #expect(embedder.embed(texts).map { $0.map(\.bitPattern) } == batch)
        for precision in [WeightPrecision.float16, .bfloat16] {
            let reduced = try ModelFolder.embedder(precision: precision)
            let reducedFirst = reduced.embed(texts[0]).map(\.bitPattern)
            #expect(reduced.embed(texts[0]).map(\.bitPattern) == reducedFirst, "\(precision)")
        }
    }

    @Test func vectorsAreUnitLength() throws {
        let embedder = try ModelFolder.embedder()
        let vector = embedder.embed("Sick leave must be reported before 9:00.")
        #expect(abs(vector.reduce(0) { $0 + Double($1) * Double($1) } - 1) < 1e-5)
        #expect(embedder.dimension == 384)
    }

    @Test func fingerprintIsStableAndNamesTheFiles() throws {
        let embedder = try ModelFolder.embedder()
        let fingerprint = try embedder.fingerprint()
        // Pinned from the files tools/fetch-model installs (their hashes are pinned there too).
        #expect(fingerprint.description == "sha256:" + ModelFolder.pinnedFingerprintHex)
        #expect(try embedder.fingerprint() == fingerprint)
    }
}

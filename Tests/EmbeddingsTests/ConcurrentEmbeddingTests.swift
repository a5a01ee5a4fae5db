import Dispatch
import Synchronization
import Testing
@testable import Embeddings

/// One embedder shared by several threads, as the compiler's workers and the daemon's requests
/// share it: same vectors as one thread alone, bit for bit, and no crash.
@Suite struct ConcurrentEmbeddingTests {
    static let texts: [String] = (0..<64).map { index in
        // Short texts (fewer rows than OpenBLAS is used for) and long ones.
        index % 2 == 0 ? "Question \(index) about per diem?" : String(repeating: "The travel policy covers trip \(index). ", count: 12)
    }

    @Test func threadsSharingOneEmbedderGetTheSameVectorsAsOneThread() throws {
        let embedder = try ModelFolder.embedder()
        let sequential = Self.texts.map { embedder.embed($0) }
        let results = Mutex<[Int: [Float]]>([:])
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for index in stride(from: worker, to: Self.texts.count, by: 4) {
                let vector = embedder.embed(Self.texts[index])
                results.withLock { $0[index] = vector }
            }
        }
        let concurrent = results.withLock { $0 }
        for (index, vector) in sequential.enumerated() {
            #expect(concurrent[index] == vector, "text \(index)")
        }
    }
}

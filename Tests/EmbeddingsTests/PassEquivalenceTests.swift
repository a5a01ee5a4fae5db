import Testing
@testable import Embeddings

/// The daemon embeds questions that wait together in one encoder pass (QueryServer's
/// `QuestionBatcher`). The encoder computes each packed row on its own, so a question's vector
/// must not depend on the others in its pass: bit for bit, or the embedding cache and the answers
/// would depend on who else asked at the same moment. The daemon's precision is bfloat16, and
/// Float16 on CPUs without AVX512_BF16; Float32 (the compiler's) switches from our few-rows kernel
/// to OpenBLAS as passes grow, so it agrees only within rounding (ModelConfigurationTests).
@Suite struct PassEquivalenceTests {
    static let questions = [
        "How many days can I work from abroad?",
        "Who approves expenses over $5,000?",
        "pto",
        "",
        "What is the policy on bringing a dog to the office, and does it differ for service animals, emotional support animals or visiting pets on the summer family day?",
        "Wann muss ich eine Krankmeldung einreichen?",
        "401(k) match — vesting schedule?",
        "Can I expense a hotel minibar?",
    ]

    @Test(arguments: [WeightPrecision.bfloat16, .float16])
    func aQuestionInAPassGetsTheVectorItGetsAlone(_ precision: WeightPrecision) throws {
        let embedder = try ModelFolder.embedder(precision: precision)
        let sequences = Self.questions.map(embedder.tokenIDs(for:))
        let alone = sequences.map { embedder.embed(tokenIDs: [$0])[0].map(\.bitPattern) }
        // Every pass size, and the questions in another order (each at other rows of the pass).
        for size in 2...sequences.count {
            let pass = embedder.embed(tokenIDs: Array(sequences.prefix(size)))
            for index in 0..<size {
                #expect(pass[index].map(\.bitPattern) == alone[index], "\(precision): question \(index) in a pass of \(size)")
            }
        }
        let reversed = embedder.embed(tokenIDs: sequences.reversed())
        for (index, vector) in reversed.reversed().enumerated() {
            #expect(vector.map(\.bitPattern) == alone[index], "\(precision): question \(index), reversed pass")
        }
    }
}

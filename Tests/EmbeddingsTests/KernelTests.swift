import Testing
@testable import Embeddings

/// Each fast kernel against its plain reference version, on seeded random data.
@Suite struct KernelTests {
    static func randomValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in (random.nextFloat() * 2 - 1) * scale }
    }

    /// Seeded operands of one linear layer: input (rows, inWidth) at scale 2, weights (outWidth,
    /// inWidth) at scale 0.1 and a bias, from seeds `seed`, `seed + 1` and `seed + 2`.
    static func linearOperands(rows: Int, inWidth: Int, outWidth: Int, seed: UInt64) -> (input: [Float], weight: FloatTensor, bias: FloatTensor) {
        (randomValues(rows * inWidth, seed: seed, scale: 2),
         FloatTensor(randomValues(outWidth * inWidth, seed: seed + 1, scale: 0.1), shape: [outWidth, inWidth]),
         FloatTensor(randomValues(outWidth, seed: seed + 2), shape: [outWidth]))
    }

    @Test(arguments: [(1, 384, 384), (7, 384, 1536), (33, 1536, 384), (3, 16, 8)])
    func blasLinearMatchesReference(rows: Int, inWidth: Int, outWidth: Int) {
        let input = Self.randomValues(rows * inWidth, seed: 1)
        let weight = FloatTensor(Self.randomValues(outWidth * inWidth, seed: 2, scale: 0.1), shape: [outWidth, inWidth])
        let bias = FloatTensor(Self.randomValues(outWidth, seed: 3), shape: [outWidth])
        var output = [Float](repeating: .nan, count: rows * outWidth)
        BLAS.linear(input, rows: rows, weight: weight, bias: bias, into: &output)
        #expect(maximumAbsoluteDifference(output, BLAS.referenceLinear(input, rows: rows, weight: weight, bias: bias)) < 1e-4)
    }

    @Test(arguments: [1, 2, 3, 17, 31])
    func fewRowsLinearMatchesReference(rows: Int) {
        for (inWidth, outWidth) in [(384, 384), (384, 1536), (1536, 384), (16, 8)] {
            let (input, weight, bias) = Self.linearOperands(rows: rows, inWidth: inWidth, outWidth: outWidth, seed: 21)
            var output = [Float](repeating: .nan, count: rows * outWidth)
            Kernels.linearFewRows(input, rows: rows, weight: weight, bias: bias, into: &output)
            #expect(maximumAbsoluteDifference(output, BLAS.referenceLinear(input, rows: rows, weight: weight, bias: bias)) < 1e-4,
                    "\(rows)x\(inWidth)->\(outWidth)")
        }
    }

    @Test(arguments: [1, 2, 3, 17, 40])
    func halfMatrixLinearMatchesReference(rows: Int) {
        for (inWidth, outWidth) in [(384, 384), (384, 1536), (1536, 384), (16, 8)] {
            let (input, weights, bias) = Self.linearOperands(rows: rows, inWidth: inWidth, outWidth: outWidth, seed: 11)
            let weight = HalfMatrix(weights)
            var output = [Float](repeating: .nan, count: rows * outWidth)
            weight.linear(input, rows: rows, bias: bias, into: &output)
            #expect(maximumAbsoluteDifference(output, weight.referenceLinear(input, rows: rows, bias: bias)) < 1e-4,
                    "\(rows)x\(inWidth)->\(outWidth)")
        }
    }

    /// The AVX512_BF16 kernel against the plain loop over the same bfloat16 values; fails (never
    /// skips) on a CPU without AVX512_BF16, where the encoder uses Float16 weights instead.
    @Test(arguments: [1, 2, 7, 8, 9, 16, 17, 40])
    func bfloat16LinearMatchesReference(rows: Int) {
        #expect(BFloat16Matrix.isSupported, "this CPU lacks AVX512_BF16: the kernel cannot be tested here")
        guard BFloat16Matrix.isSupported else { return }
        for (inWidth, outWidth) in [(384, 384), (384, 1536), (1536, 384), (32, 16), (64, 48)] {
            let (input, weights, bias) = Self.linearOperands(rows: rows, inWidth: inWidth, outWidth: outWidth, seed: 31)
            let weight = BFloat16Matrix(weights)
            var output = [Float](repeating: .nan, count: rows * outWidth)
            weight.linear(input, rows: rows, bias: bias, into: &output)
            #expect(maximumAbsoluteDifference(output, weight.referenceLinear(input, rows: rows, bias: bias)) < 1e-4,
                    "\(rows)x\(inWidth)->\(outWidth)")
        }
    }

    /// Batches past one row group (192 rows in bfloat16_linear.c), with partial blocks and groups.
    @Test(arguments: [191, 192, 193, 409])
    func bfloat16LinearMatchesReferenceOnManyRows(rows: Int) {
        #expect(BFloat16Matrix.isSupported, "this CPU lacks AVX512_BF16: the kernel cannot be tested here")
        guard BFloat16Matrix.isSupported else { return }
        for (inWidth, outWidth) in [(32, 16), (96, 48)] {
            let (input, weights, bias) = Self.linearOperands(rows: rows, inWidth: inWidth, outWidth: outWidth, seed: 41)
            let weight = BFloat16Matrix(weights)
            var output = [Float](repeating: .nan, count: rows * outWidth)
            weight.linear(input, rows: rows, bias: bias, into: &output)
            #expect(maximumAbsoluteDifference(output, weight.referenceLinear(input, rows: rows, bias: bias)) < 1e-4,
                    "\(rows)x\(inWidth)->\(outWidth)")
            // Row by row, the same bits: the grouping never changes a row's sums.
            var single = [Float](repeating: .nan, count: outWidth)
            for row in [0, rows / 2, rows - 1] {
                weight.linear(Array(input[row * inWidth..<(row + 1) * inWidth]), rows: 1, bias: bias, into: &single)
                #expect(single.map(\.bitPattern) == output[row * outWidth..<(row + 1) * outWidth].map(\.bitPattern), "row \(row) of \(rows)")
            }
        }
    }

    @Test func bfloat16MatrixRoundsToNearestEven() {
        // 1 + 2^-8 is halfway between bfloat16's 1 and 1 + 2^-7: ties go to the even 1;
        // 1 + 3·2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties go to the even 1 + 2^-6.
        let values: [Float] = [1 + 0x1p-8, 1 + 3 * 0x1p-8, -2.5, 0.1]
        let matrix = BFloat16Matrix(FloatTensor(values + [Float](repeating: 0, count: 16 * 32 - 4), shape: [16, 32]))
        #expect(matrix[0, 0] == 1 && matrix[0, 1] == 1 + 0x1p-6 && matrix[0, 2] == -2.5)
        #expect(matrix[0, 3] == BFloat16Matrix.roundedToBFloat16(0.1) && abs(matrix[0, 3] - 0.1) < 0.1 * 0x1p-8)
        #expect(BFloat16Matrix.accepts(outWidth: 384, inWidth: 1536) && !BFloat16Matrix.accepts(outWidth: 8, inWidth: 16))
    }

    @Test(arguments: [false, true])
    func layerNormMatchesReference(withResidual: Bool) {
        let rows = 5, width = 384
        let gamma = FloatTensor(Self.randomValues(width, seed: 4), shape: [width])
        let beta = FloatTensor(Self.randomValues(width, seed: 5), shape: [width])
        let residual = withResidual ? Self.randomValues(rows * width, seed: 6, scale: 3) : nil
        var fast = Self.randomValues(rows * width, seed: 7, scale: 10)
        var reference = fast
        Kernels.layerNorm(&fast, adding: residual, rows: rows, width: width, gamma: gamma, beta: beta, epsilon: 1e-12)
        Kernels.referenceLayerNorm(&reference, adding: residual, rows: rows, width: width, gamma: gamma, beta: beta, epsilon: 1e-12)
        #expect(maximumAbsoluteDifference(fast, reference) < 1e-5)
    }

    @Test func softmaxRowsSumToOne() {
        var scores: [Float] = [1, 2, 3, 1000, 1000, -1000]
        Kernels.softmaxRows(&scores, rows: 2, width: 3)
        #expect(abs(scores[0..<3].reduce(0, +) - 1) < 1e-6)
        #expect(scores[3] == 0.5 && scores[4] == 0.5 && scores[5] == 0)
    }

    @Test func geluIsTheErfForm() {
        var values: [Float] = [-3, -1, 0, 0.5, 2]
        Kernels.gelu(&values, count: values.count)
        // x·Φ(x), Φ from the standard normal table: Φ(-3)=0.0013499, Φ(-1)=0.158655, Φ(0.5)=0.691462, Φ(2)=0.977250.
        let expected: [Float] = [-3 * 0.0013499, -0.158655, 0, 0.5 * 0.691462, 2 * 0.977250]
        #expect(maximumAbsoluteDifference(values, expected) < 1e-5)
    }

    @Test func fewestDifferingBitsEqualsThePlainCount() {
        // A xorshift generator: the test needs varied bits, not statistics.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        for (wordsPerToken, questionTokens, chunkTokens) in [(6, 15, 74), (1, 1, 1), (2, 3, 0), (6, 0, 5), (3, 40, 151)] {
            let question = (0..<(wordsPerToken * questionTokens)).map { _ in next() }
            var chunk = (0..<(wordsPerToken * chunkTokens)).map { _ in next() }
            if chunkTokens > 1 && questionTokens > 0 { for w in 0..<wordsPerToken { chunk[wordsPerToken + w] = question[w] } }   // an exact match: 0 bits
            let fast = Kernels.fewestDifferingBits(question: question, chunk: chunk, wordsPerToken: wordsPerToken)
            #expect(fast == Kernels.referenceFewestDifferingBits(question: question, chunk: chunk, wordsPerToken: wordsPerToken),
                    "\(wordsPerToken) words, \(questionTokens) × \(chunkTokens) tokens")
            if chunkTokens > 1 && questionTokens > 0 { #expect(fast[0] == 0) }
            if chunkTokens == 0 { #expect(fast.allSatisfy { $0 == .max }) }
        }
    }
}

/// The vectorised transcendental kernels against libm.
@Suite struct VectorKernelTests {
    @Test func geluMatchesReferenceOverTheUsefulRange() {
        var fast = (0..<4003).map { Float($0 - 2000) / 200 }   // -10 … 10, with a partial last vector
        var reference = fast
        Kernels.gelu(&fast, count: fast.count)
        Kernels.referenceGelu(&reference, count: reference.count)
        #expect(maximumAbsoluteDifference(fast, reference) < 2e-6)
    }

    /// A value's GELU is the same bits wherever it sits: in a full vector, an unrolled pair or the tail.
    @Test(arguments: [1, 7, 8, 9, 15, 16, 17, 23, 40])
    func geluDoesNotDependOnPosition(count: Int) {
        let values = KernelTests.randomValues(count, seed: UInt64(count), scale: 6)
        var together = values
        Kernels.gelu(&together, count: count)
        for (index, value) in values.enumerated() {
            var alone = [value]
            Kernels.gelu(&alone, count: 1)
            #expect(alone[0].bitPattern == together[index].bitPattern, "element \(index) of \(count)")
        }
        var reference = values
        Kernels.referenceGelu(&reference, count: count)
        #expect(maximumAbsoluteDifference(together, reference) < 2e-6)
    }

    @Test(.enabled(if: Kernels.hasSixteenLaneGelu, "the CPU has no AVX-512: only the eight-lane GELU runs here"),
          arguments: [1, 15, 16, 17, 31, 32, 33, 1536, 57 * 1536 + 5])
    func geluGivesTheSameBitsInSixteenLanesAsInEight(count: Int) {
        // Random values over the range GELU sees and every edge: signed zeros, subnormals, where
        // erf's exp underflows (|x| above about 13), huge values, infinities and NaN.
        let edges: [Float] = [0, -0, 1e-40, -1e-40, 1e-30, -3, 5.5, -9.3, 13.2, -13.3, 88, -100, 1e30, -1e30,
                              .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.leastNormalMagnitude]
        let values = (0..<count).map { $0 % 5 == 0 ? edges[($0 / 5) % edges.count] : KernelTests.randomValues(1, seed: UInt64($0), scale: 12)[0] }
        var eight = values, sixteen = values
        Kernels.gelu(&eight, count: count, sixteenLanes: false)
        Kernels.gelu(&sixteen, count: count, sixteenLanes: true)
        #expect(eight.map(\.bitPattern) == sixteen.map(\.bitPattern))
    }

    @Test(arguments: [1, 7, 8, 13, 64, 255, 256])
    func softmaxMatchesReference(width: Int) {
        var fast = KernelTests.randomValues(3 * width, seed: UInt64(width), scale: 30)
        var reference = fast
        Kernels.softmaxRows(&fast, rows: 3, width: width)
        Kernels.referenceSoftmaxRows(&reference, rows: 3, width: width)
        #expect(maximumAbsoluteDifference(fast, reference) < 1e-6)
    }
}

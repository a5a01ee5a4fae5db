// Unsafe code allowed here: the numeric kernels. Each fast path sits next to a plain reference
// version (`reference…`), and EmbeddingsTests/KernelTests compares the two.
import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The element-wise and row-wise operations of the encoder, in execution order. Matrix products
/// are in `BLAS`. Buffers are row-major `[Float]`; shapes are written next to each parameter.
public enum Kernels {
    // MARK: Embeddings

    /// hidden (tokens, width) += position[index] + tokenType[0], where `hidden` already holds each
    /// token's word embedding row, for sequences packed one after another (`lengths` tokens each;
    /// positions restart at 0 per sequence).
    public static func addPositions(lengths: [Int], position: FloatTensor, tokenType: FloatTensor, width: Int, into hidden: inout [Float]) {
        let rows = lengths.reduce(0, +)
        precondition(hidden.count >= rows * width && tokenType.count >= width)
        unsafe position.withUnsafeBufferPointer { positions in
            unsafe tokenType.withUnsafeBufferPointer { types in
                unsafe hidden.withUnsafeMutableBufferPointer { output in
                    var row = 0
                    for length in lengths {
                        precondition(length * width <= positions.count, "sequence of \(length) tokens exceeds the position table")
                        for index in 0..<length {
                            for column in 0..<width {
                                unsafe output[row * width + column] += unsafe positions[index * width + column] + types[column]
                            }
                            row += 1
                        }
                    }
                }
            }
        }
    }

    // MARK: LayerNorm

    /// x (rows, width) ← LayerNorm(x + residual) · gamma + beta, per row. Mean and biased variance
    /// as torch.nn.LayerNorm; `epsilon` from config.json's `layer_norm_eps`. Pass no residual to
    /// normalise `x` alone.
    public static func layerNorm(_ x: inout [Float], adding residual: [Float]?, rows: Int, width: Int,
                                 gamma: FloatTensor, beta: FloatTensor, epsilon: Float) {
        precondition(x.count >= rows * width && gamma.count == width && beta.count == width && width % 8 == 0)
        if let residual { precondition(residual.count >= rows * width) }
        let vectorCount = width / 8
        unsafe gamma.withUnsafeBufferPointer { g in
            unsafe beta.withUnsafeBufferPointer { b in
                unsafe x.withUnsafeMutableBufferPointer { xs in
                    let base = UnsafeMutableRawPointer(xs.baseAddress!)
                    let gammaBase = unsafe UnsafeRawPointer(g.baseAddress!), betaBase = unsafe UnsafeRawPointer(b.baseAddress!)
                    for row in 0..<rows {
                        let rowBase = unsafe base + row * width * 4
                        if let residual {
                            unsafe residual.withUnsafeBufferPointer { r in
                                let residualBase = unsafe UnsafeRawPointer(r.baseAddress!) + row * width * 4
                                for v in 0..<vectorCount {
                                    let sum = unsafe rowBase.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self)
                                        + residualBase.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self)
                                    unsafe rowBase.storeBytes(of: sum, toByteOffset: v * 32, as: SIMD8<Float>.self)
                                }
                            }
                        }
                        var total = SIMD8<Float>()
                        for v in 0..<vectorCount { total += unsafe rowBase.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self) }
                        let mean = total.sum() / Float(width)
                        var squares = SIMD8<Float>()
                        for v in 0..<vectorCount {
                            let centered = unsafe rowBase.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self) - mean
                            squares.addProduct(centered, centered)
                        }
                        let inverse = 1 / (squares.sum() / Float(width) + epsilon).squareRoot()
                        for v in 0..<vectorCount {
                            let value = unsafe rowBase.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self)
                            let scale = unsafe gammaBase.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self)
                            let shift = unsafe betaBase.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self)
                            unsafe rowBase.storeBytes(of: ((value - mean) * inverse) * scale + shift, toByteOffset: v * 32, as: SIMD8<Float>.self)
                        }
                    }
                }
            }
        }
    }

    /// Plain-loop LayerNorm in Double, the reference `layerNorm` is tested against.
    public static func referenceLayerNorm(_ x: inout [Float], adding residual: [Float]?, rows: Int, width: Int,
                                          gamma: FloatTensor, beta: FloatTensor, epsilon: Float) {
        for row in 0..<rows {
            let range = row * width..<(row + 1) * width
            if let residual { for i in range { x[i] += residual[i] } }
            var mean = 0.0
            for i in range { mean += Double(x[i]) }
            mean /= Double(width)
            var variance = 0.0
            for i in range { variance += (Double(x[i]) - mean) * (Double(x[i]) - mean) }
            variance /= Double(width)
            let inverse = 1 / (variance + Double(epsilon)).squareRoot()
            for (column, i) in range.enumerated() {
                x[i] = Float((Double(x[i]) - mean) * inverse) * gamma[column] + beta[column]
            }
        }
    }

    // MARK: Activation

    /// x ← GELU(x) = x · ½(1 + erf(x / √2)), the exact (erf) form BERT's "gelu" names, eight
    /// lanes at a time with FMA in C, or sixteen with AVX-512 where the CPU has it, to the same
    /// bits (`ckernels_gelu`; erf's absolute error below 1.5e-7).
    public static func gelu(_ x: inout [Float], count: Int) {
        precondition(x.count >= count)
        unsafe x.withUnsafeMutableBufferPointer { xs in unsafe ckernels_gelu(xs.baseAddress!, count) }
    }

    /// Whether this CPU runs the sixteen-lane (AVX-512) GELU, which `gelu` then uses.
    static var hasSixteenLaneGelu: Bool { ckernels_has_avx512() != 0 }

    /// `gelu` through the eight-lane (AVX2) or the sixteen-lane (AVX-512) kernel, as the tests
    /// choose, to hold one to the other. Sixteen lanes only where `hasSixteenLaneGelu`.
    static func gelu(_ x: inout [Float], count: Int, sixteenLanes: Bool) {
        precondition(x.count >= count && (!sixteenLanes || hasSixteenLaneGelu))
        unsafe x.withUnsafeMutableBufferPointer { xs in
            if sixteenLanes { unsafe ckernels_gelu_avx512(xs.baseAddress!, count) } else { unsafe ckernels_gelu_avx2(xs.baseAddress!, count) }
        }
    }

    /// GELU with libm's `erff`, the reference `gelu` is tested against.
    public static func referenceGelu(_ x: inout [Float], count: Int) {
        for i in 0..<count { x[i] = 0.5 * x[i] * (1 + erff(x[i] * 0.707_106_781_186_547_52)) }
    }

    // MARK: Token signatures

    /// For each question token, the fewest bits in which its signature differs from any of the
    /// chunk's (`question` and `chunk` hold `wordsPerToken` words a token): `ckernels_fewest_differing_bits`,
    /// with the popcnt instruction. `Int32.max` for every token when the chunk has none.
    public static func fewestDifferingBits(question: [UInt64], chunk: [UInt64], wordsPerToken: Int) -> [Int32] {
        precondition(wordsPerToken > 0 && question.count % wordsPerToken == 0 && chunk.count % wordsPerToken == 0)
        var fewest = [Int32](repeating: .max, count: question.count / wordsPerToken)
        guard !fewest.isEmpty, !chunk.isEmpty else { return fewest }
        unsafe question.withUnsafeBufferPointer { q in
            unsafe chunk.withUnsafeBufferPointer { c in
                unsafe fewest.withUnsafeMutableBufferPointer { out in
                    unsafe ckernels_fewest_differing_bits(q.baseAddress!, question.count / wordsPerToken, c.baseAddress!,
                                                          chunk.count / wordsPerToken, wordsPerToken, out.baseAddress!)
                }
            }
        }
        return fewest
    }

    /// `fewestDifferingBits` the plain way, the reference it is tested against.
    public static func referenceFewestDifferingBits(question: [UInt64], chunk: [UInt64], wordsPerToken: Int) -> [Int32] {
        stride(from: 0, to: question.count, by: wordsPerToken).map { q in
            stride(from: 0, to: chunk.count, by: wordsPerToken).map { c in
                Int32((0..<wordsPerToken).reduce(0) { $0 + (question[q + $1] ^ chunk[c + $1]).nonzeroBitCount })
            }.min() ?? .max
        }
    }

    // MARK: Attention

    /// scores (rows, width) ← softmax of each row, with the row's maximum subtracted first, eight
    /// lanes at a time with FMA in C (`ckernels_softmax_rows`; a partial last vector is padded
    /// with -∞, giving 0).
    public static func softmaxRows(_ scores: inout [Float], rows: Int, width: Int) {
        precondition(scores.count >= rows * width)
        unsafe scores.withUnsafeMutableBufferPointer { s in unsafe ckernels_softmax_rows(s.baseAddress!, rows, width) }
    }

    /// Softmax with libm's `expf`, in Double sums, the reference `softmaxRows` is tested against.
    public static func referenceSoftmaxRows(_ scores: inout [Float], rows: Int, width: Int) {
        for row in 0..<rows {
            let range = row * width..<(row + 1) * width
            let maximum = scores[range].max() ?? 0
            var total = 0.0
            for i in range { scores[i] = expf(scores[i] - maximum); total += Double(scores[i]) }
            for i in range { scores[i] = Float(Double(scores[i]) / total) }
        }
    }

    // MARK: Pooling

    /// The pooled vector (width) of `rows` token vectors starting at row `firstRow` of `hidden`.
    public static func pool(_ hidden: [Float], firstRow: Int, rows: Int, width: Int, mode: PoolingMode) -> [Float] {
        precondition(rows > 0 && hidden.count >= (firstRow + rows) * width)
        var result = [Float](repeating: mode == .max ? -Float.infinity : 0, count: width)
        switch mode {
        case .classToken:
            for c in 0..<width { result[c] = hidden[firstRow * width + c] }
        case .max:
            for r in firstRow..<firstRow + rows { for c in 0..<width { result[c] = max(result[c], hidden[r * width + c]) } }
        case .mean, .meanSquareRootLength:
            for r in firstRow..<firstRow + rows { for c in 0..<width { result[c] += hidden[r * width + c] } }
            let divisor = mode == .mean ? Float(rows) : Float(rows).squareRoot()
            for c in 0..<width { result[c] /= divisor }
        }
        return result
    }

    /// v / max(‖v‖₂, 1e-12), as torch.nn.functional.normalize (1e-12: its default eps).
    public static func l2Normalized(_ vector: [Float]) -> [Float] {
        var squares = 0.0
        for value in vector { squares += Double(value) * Double(value) }
        let norm = max(squares.squareRoot(), 1e-12)
        return vector.map { Float(Double($0) / norm) }
    }
}

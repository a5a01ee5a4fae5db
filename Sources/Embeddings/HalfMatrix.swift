// Unsafe code allowed here: a numeric kernel (the linear layer over Float16 weights) and the
// buffer it reads.

/// A weight matrix (out, in) row-major, rounded to IEEE binary16: half the bytes of the Float32
/// original, so a question's pass streams 21 MB of weights instead of 42 MB for MiniLM-L6.
/// Immutable after creation.
@safe public final class HalfMatrix: @unchecked Sendable {
    public let outWidth: Int
    public let inWidth: Int
    private let storage: UnsafeMutablePointer<Float16>

    /// Rounds `tensor` (out, in) to Float16 (round to nearest even; values beyond ±65504 become ±∞,
    /// which BERT weights never reach).
    public init(_ tensor: FloatTensor) {
        precondition(tensor.shape.count == 2)
        outWidth = tensor.shape[0]
        inWidth = tensor.shape[1]
        let count = tensor.count
        unsafe storage = UnsafeMutablePointer<Float16>.allocate(capacity: max(count, 1))
        unsafe tensor.withUnsafeBufferPointer { source in
            for index in 0..<count { unsafe storage[index] = Float16(source[index]) }
        }
    }

    /// Rounds tensor `name` of `file` to Float16 reading it row by row with `pread`, so none of
    /// the file's pages become resident in this process while the copy is made.
    public init(_ tensor: FloatTensor, named name: String, in file: SafetensorsFile) {
        precondition(tensor.shape.count == 2)
        outWidth = tensor.shape[0]
        inWidth = tensor.shape[1]
        unsafe storage = UnsafeMutablePointer<Float16>.allocate(capacity: max(outWidth * inWidth, 1))
        var row = [Float](repeating: 0, count: inWidth)
        for r in 0..<outWidth {
            file.readRow(r, of: tensor, named: name, into: &row, at: 0)
            for c in 0..<inWidth { unsafe storage[r * inWidth + c] = Float16(row[c]) }
        }
    }

    deinit { unsafe storage.deallocate() }

    /// The weight at row `row`, column `column`, widened to Float.
    public subscript(row: Int, column: Int) -> Float {
        precondition(row >= 0 && row < outWidth && column >= 0 && column < inWidth)
        return Float(unsafe storage[row * inWidth + column])
    }

    /// output (rows, out) ← input (rows, in) · selfᵀ + bias, streamed straight from the Float16
    /// weights: four weight rows at a time, widened once with F16C's vcvtph2ps, meet two input
    /// rows held in L1: eight independent eight-lane dot products (FMA latency, not throughput,
    /// bounds fewer chains), fourteen of the sixteen AVX2 registers; reduced at the end.
    /// `referenceLinear` is the plain version tests compare against.
    /// - Precondition: `in` is a multiple of 8 and `out` a multiple of 4.
    public func linear(_ input: [Float], rows: Int, bias: FloatTensor, into output: inout [Float]) {
        precondition(bias.count == outWidth && inWidth % 8 == 0 && outWidth % 4 == 0)
        precondition(input.count >= rows * inWidth && output.count >= rows * outWidth)
        let inWidth = inWidth, outWidth = outWidth
        let weights = unsafe UnsafeRawPointer(storage)
        unsafe bias.withUnsafeBufferPointer { b in
            unsafe input.withUnsafeBufferPointer { x in
                unsafe output.withUnsafeMutableBufferPointer { y in
                    let inputs = unsafe UnsafeRawPointer(x.baseAddress!)
                    for o in stride(from: 0, to: outWidth, by: 4) {
                        let w = unsafe weights + o * inWidth * 2
                        var r = 0
                        while r < rows {
                            // An odd last row pairs with itself; its second copy of the sums is dropped.
                            let x0 = unsafe inputs + r * inWidth * 4
                            let x1 = unsafe inputs + min(r + 1, rows - 1) * inWidth * 4
                            let sums = unsafe Self.dotProducts2x4(x0, x1, weights: w, inWidth: inWidth)
                            for i in 0..<min(2, rows - r) {
                                for j in 0..<4 { unsafe y[(r + i) * outWidth + o + j] = sums[i * 4 + j] + b[o + j] }
                            }
                            r += 2
                        }
                    }
                }
            }
        }
    }

    /// Dot products of 2 input rows with 4 Float16 weight rows, as 8 sums (row-major 2×4).
    @inline(__always)
    private static func dotProducts2x4(_ x0: UnsafeRawPointer, _ x1: UnsafeRawPointer,
                                       weights w: UnsafeRawPointer, inWidth: Int) -> SIMD8<Float> {
        let rowBytes = inWidth &* 2
        var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a02 = SIMD8<Float>(), a03 = SIMD8<Float>()
        var a10 = SIMD8<Float>(), a11 = SIMD8<Float>(), a12 = SIMD8<Float>(), a13 = SIMD8<Float>()
        var column = 0
        while column < inWidth {
            let offset = column &* 2, xOffset = column &* 4
            let w0 = SIMD8<Float>(unsafe w.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float16>.self))
            let w1 = SIMD8<Float>(unsafe w.loadUnaligned(fromByteOffset: rowBytes &+ offset, as: SIMD8<Float16>.self))
            let w2 = SIMD8<Float>(unsafe w.loadUnaligned(fromByteOffset: 2 &* rowBytes &+ offset, as: SIMD8<Float16>.self))
            let w3 = SIMD8<Float>(unsafe w.loadUnaligned(fromByteOffset: 3 &* rowBytes &+ offset, as: SIMD8<Float16>.self))
            let v0 = unsafe x0.loadUnaligned(fromByteOffset: xOffset, as: SIMD8<Float>.self)
            let v1 = unsafe x1.loadUnaligned(fromByteOffset: xOffset, as: SIMD8<Float>.self)
            a00.addProduct(v0, w0); a01.addProduct(v0, w1); a02.addProduct(v0, w2); a03.addProduct(v0, w3)
            a10.addProduct(v1, w0); a11.addProduct(v1, w1); a12.addProduct(v1, w2); a13.addProduct(v1, w3)
            column &+= 8
        }
        return SIMD8(a00.sum(), a01.sum(), a02.sum(), a03.sum(), a10.sum(), a11.sum(), a12.sum(), a13.sum())
    }

    /// The plain loop `linear` is tested against (accumulates in Double).
    public func referenceLinear(_ input: [Float], rows: Int, bias: FloatTensor) -> [Float] {
        var output = [Float](repeating: 0, count: rows * outWidth)
        for row in 0..<rows {
            for o in 0..<outWidth {
                var sum = Double(bias[o])
                for i in 0..<inWidth { sum += Double(input[row * inWidth + i]) * Double(self[o, i]) }
                output[row * outWidth + o] = Float(sum)
            }
        }
        return output
    }
}

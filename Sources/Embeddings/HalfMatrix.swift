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
    /// weights: four weight rows at a time (widened with F16C's vcvtph2ps) meet each input row
    /// held in L1, four eight-lane dot products in registers, reduced at the end of the row.
    /// (Blocking three input rows per weight load measured slower here: register spills.)
    /// `referenceLinear` is the plain version tests compare against.
    /// - Precondition: `in` is a multiple of 8 and `out` a multiple of 4.
    public func linear(_ input: [Float], rows: Int, bias: FloatTensor, into output: inout [Float]) {
        precondition(bias.count == outWidth && inWidth % 8 == 0 && outWidth % 4 == 0)
        precondition(input.count >= rows * inWidth && output.count >= rows * outWidth)
        let inWidth = inWidth, outWidth = outWidth
        let weights = unsafe UnsafeRawPointer(storage)
        let rowBytes = inWidth * 2
        unsafe bias.withUnsafeBufferPointer { b in
            unsafe input.withUnsafeBufferPointer { x in
                unsafe output.withUnsafeMutableBufferPointer { y in
                    let inputs = unsafe UnsafeRawPointer(x.baseAddress!)
                    for o in stride(from: 0, to: outWidth, by: 4) {
                        let w = unsafe weights + o * rowBytes
                        for r in 0..<rows {
                            let xr = unsafe inputs + r * inWidth * 4
                            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                            var column = 0
                            while column < inWidth {
                                let xv = unsafe xr.loadUnaligned(fromByteOffset: column &* 4, as: SIMD8<Float>.self)
                                let offset = column &* 2
                                a0.addProduct(xv, SIMD8<Float>(unsafe w.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float16>.self)))
                                a1.addProduct(xv, SIMD8<Float>(unsafe w.loadUnaligned(fromByteOffset: rowBytes &+ offset, as: SIMD8<Float16>.self)))
                                a2.addProduct(xv, SIMD8<Float>(unsafe w.loadUnaligned(fromByteOffset: 2 &* rowBytes &+ offset, as: SIMD8<Float16>.self)))
                                a3.addProduct(xv, SIMD8<Float>(unsafe w.loadUnaligned(fromByteOffset: 3 &* rowBytes &+ offset, as: SIMD8<Float16>.self)))
                                column &+= 8
                            }
                            let base = r * outWidth + o
                            unsafe y[base] = a0.sum() + b[o]
                            unsafe y[base + 1] = a1.sum() + b[o + 1]
                            unsafe y[base + 2] = a2.sum() + b[o + 2]
                            unsafe y[base + 3] = a3.sum() + b[o + 3]
                        }
                    }
                }
            }
        }
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

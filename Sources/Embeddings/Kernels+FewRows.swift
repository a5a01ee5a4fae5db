// Unsafe code allowed here: a numeric kernel (the Float32 linear layer for a few rows).

extension Kernels {
    /// Below this many rows the Float32 encoder uses `linearFewRows`; from it on, OpenBLAS, whose
    /// packing of the weights costs more than it saves when few rows share them.
    public static let fewRowsLimit = 32

    /// output (rows, out) ← input (rows, in) · weightᵀ + bias, streamed straight from the weights
    /// as stored, (out, in) row-major, with no packing: four weight rows meet two input rows, eight
    /// independent eight-lane dot products in registers, reduced at the end. `BLAS.referenceLinear`
    /// is the plain version tests compare against.
    /// - Precondition: `in` is a multiple of 8 and `out` a multiple of 4.
    public static func linearFewRows(_ input: [Float], rows: Int, weight: FloatTensor, bias: FloatTensor, into output: inout [Float]) {
        let outWidth = weight.shape[0], inWidth = weight.shape[1]
        precondition(weight.shape.count == 2 && bias.count == outWidth && inWidth % 8 == 0 && outWidth % 4 == 0)
        precondition(input.count >= rows * inWidth && output.count >= rows * outWidth)
        unsafe weight.withUnsafeBufferPointer { w in
            unsafe bias.withUnsafeBufferPointer { b in
                unsafe input.withUnsafeBufferPointer { x in
                    unsafe output.withUnsafeMutableBufferPointer { y in
                        let weights = unsafe UnsafeRawPointer(w.baseAddress!)
                        let inputs = unsafe UnsafeRawPointer(x.baseAddress!)
                        for o in stride(from: 0, to: outWidth, by: 4) {
                            let w0 = unsafe weights + o * inWidth * 4
                            var r = 0
                            while r < rows {
                                // An odd last row pairs with itself; its second copy of the sums is dropped.
                                let x0 = unsafe inputs + r * inWidth * 4
                                let x1 = unsafe inputs + min(r + 1, rows - 1) * inWidth * 4
                                let sums = unsafe dotProducts2x4(x0, x1, weights: w0, inWidth: inWidth)
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
    }

    /// Dot products of 2 input rows with 4 Float32 weight rows, as 8 sums (row-major 2×4).
    @inline(__always)
    private static func dotProducts2x4(_ x0: UnsafeRawPointer, _ x1: UnsafeRawPointer,
                                       weights w: UnsafeRawPointer, inWidth: Int) -> SIMD8<Float> {
        let rowBytes = inWidth &* 4
        var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a02 = SIMD8<Float>(), a03 = SIMD8<Float>()
        var a10 = SIMD8<Float>(), a11 = SIMD8<Float>(), a12 = SIMD8<Float>(), a13 = SIMD8<Float>()
        var offset = 0
        while offset < rowBytes {
            let w0 = unsafe w.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            let w1 = unsafe w.loadUnaligned(fromByteOffset: rowBytes &+ offset, as: SIMD8<Float>.self)
            let w2 = unsafe w.loadUnaligned(fromByteOffset: 2 &* rowBytes &+ offset, as: SIMD8<Float>.self)
            let w3 = unsafe w.loadUnaligned(fromByteOffset: 3 &* rowBytes &+ offset, as: SIMD8<Float>.self)
            let v0 = unsafe x0.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            let v1 = unsafe x1.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            a00.addProduct(v0, w0); a01.addProduct(v0, w1); a02.addProduct(v0, w2); a03.addProduct(v0, w3)
            a10.addProduct(v1, w0); a11.addProduct(v1, w1); a12.addProduct(v1, w2); a13.addProduct(v1, w3)
            offset &+= 32
        }
        return SIMD8(a00.sum(), a01.sum(), a02.sum(), a03.sum(), a10.sum(), a11.sum(), a12.sum(), a13.sum())
    }
}

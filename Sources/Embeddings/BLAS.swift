// Unsafe code allowed here: the one wrapper around OpenBLAS (cblas_sgemm, openblas_set_num_threads).
// Nothing else in the package imports COpenBLAS.
import COpenBLAS

/// The encoder's matrix products, computed by OpenBLAS's `cblas_sgemm` (row-major), with a plain
/// reference loop (`referenceLinear`) that tests compare it against.
/// See docs/decisions/0002-openblas-for-matrix-products.md for why a BLAS and not our own kernels.
public enum BLAS {
    /// Keeps OpenBLAS on the calling thread (`openblas_set_num_threads(1)`, process-wide). Callers
    /// parallelise across texts themselves (`SentenceEmbedder.embed(_:threadCount:)`, the
    /// compiler's workers, the daemon's requests), and OpenBLAS's own thread pool crashes when
    /// several threads call into it at once (a segfault in policy-verify --against with two
    /// workers). Every `BertEncoder` calls it when created.
    static func useCallingThreadOnly() {
        openblas_set_num_threads(1)
    }

    /// output (rows, out) ← input (rows, in) · weightᵀ + bias, with `weight` (out, in) as
    /// torch.nn.Linear stores it and `bias` (out).
    public static func linear(_ input: [Float], rows: Int, weight: FloatTensor, bias: FloatTensor, into output: inout [Float]) {
        let outWidth = weight.shape[0], inWidth = weight.shape[1]
        precondition(weight.shape.count == 2 && bias.count == outWidth)
        precondition(input.count >= rows * inWidth && output.count >= rows * outWidth)
        guard rows > 0 else { return }
        unsafe bias.withUnsafeBufferPointer { b in
            unsafe output.withUnsafeMutableBufferPointer { c in
                // Start from the bias in every row, then accumulate the product (beta = 1).
                for row in 0..<rows {
                    unsafe (c.baseAddress! + row * outWidth).update(from: b.baseAddress!, count: outWidth)
                }
                unsafe input.withUnsafeBufferPointer { a in
                    unsafe weight.withUnsafeBufferPointer { w in
                        unsafe cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outWidth), Int32(inWidth),
                                           1, a.baseAddress, Int32(inWidth), w.baseAddress, Int32(inWidth), 1, c.baseAddress, Int32(outWidth))
                    }
                }
            }
        }
    }

    /// The plain triple loop `linear` is tested against (accumulates in Double).
    public static func referenceLinear(_ input: [Float], rows: Int, weight: FloatTensor, bias: FloatTensor) -> [Float] {
        let outWidth = weight.shape[0], inWidth = weight.shape[1]
        var output = [Float](repeating: 0, count: rows * outWidth)
        for row in 0..<rows {
            for o in 0..<outWidth {
                var sum = Double(bias[o])
                for i in 0..<inWidth { sum += Double(input[row * inWidth + i]) * Double(weight[o * inWidth + i]) }
                output[row * outWidth + o] = Float(sum)
            }
        }
        return output
    }

    /// scores (n, n) ← scale · Q_h · K_hᵀ for one sequence and one head: Q and K are (tokens, stride)
    /// row-major, the sequence starts at row `firstRow`, the head at column `column`, `width` wide.
    public static func attentionScores(query: [Float], key: [Float], firstRow: Int, rows n: Int, column: Int, width: Int,
                                       stride: Int, scale: Float, into scores: inout [Float]) {
        precondition(scores.count >= n * n && column + width <= stride)
        precondition(query.count >= (firstRow + n) * stride && key.count >= (firstRow + n) * stride)
        guard n > 0 else { return }
        let offset = firstRow * stride + column
        unsafe query.withUnsafeBufferPointer { q in
            unsafe key.withUnsafeBufferPointer { k in
                unsafe scores.withUnsafeMutableBufferPointer { s in
                    unsafe cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(width),
                                       scale, q.baseAddress! + offset, Int32(stride), k.baseAddress! + offset, Int32(stride),
                                       0, s.baseAddress, Int32(n))
                }
            }
        }
    }

    /// context[rows of the sequence, head columns] ← P (n, n) · V_h, with the same layout as
    /// `attentionScores`.
    public static func attentionContext(probabilities: [Float], value: [Float], firstRow: Int, rows n: Int, column: Int,
                                        width: Int, stride: Int, into context: inout [Float]) {
        precondition(probabilities.count >= n * n && column + width <= stride)
        precondition(value.count >= (firstRow + n) * stride && context.count >= (firstRow + n) * stride)
        guard n > 0 else { return }
        let offset = firstRow * stride + column
        unsafe probabilities.withUnsafeBufferPointer { p in
            unsafe value.withUnsafeBufferPointer { v in
                unsafe context.withUnsafeMutableBufferPointer { c in
                    unsafe cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(width), Int32(n),
                                       1, p.baseAddress, Int32(n), v.baseAddress! + offset, Int32(stride),
                                       0, c.baseAddress! + offset, Int32(stride))
                }
            }
        }
    }
}

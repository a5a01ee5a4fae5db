// Unsafe code allowed here: a numeric kernel (the linear layer over bfloat16 weights, in
// CKernels) and the buffer it reads.
import CKernels

/// A weight matrix (out, in) rounded to bfloat16 and packed for AVX512_BF16's `vdpbf16ps`
/// (`ckernels_bfloat16_linear`): 21 MB for MiniLM-L6's layers, like `HalfMatrix`, but each
/// instruction does 32 multiply-adds where Float32 FMA does 16. Only on CPUs that have it
/// (`isSupported`); `BertEncoder` falls back to `HalfMatrix` elsewhere.
/// See docs/decisions/0003-bfloat16-question-kernel.md. Immutable after creation.
@safe public final class BFloat16Matrix: @unchecked Sendable {
    /// Whether this CPU and OS run the kernel (AVX-512 F/BW/VL and AVX512_BF16), checked once.
    public static let isSupported: Bool = ckernels_has_avx512_bf16() != 0

    public let outWidth: Int
    public let inWidth: Int
    /// (out / 16) panels of (in / 2) column pairs of 16 rows, 2 values each (CKernels.h).
    private let packed: UnsafeMutablePointer<UInt16>

    /// Whether the kernel takes a matrix of this shape.
    public static func accepts(outWidth: Int, inWidth: Int) -> Bool {
        outWidth > 0 && inWidth > 0 && outWidth % 16 == 0 && inWidth % 32 == 0
    }

    /// Rounds `tensor` (out, in) to bfloat16 (to nearest even).
    /// - Precondition: `accepts(outWidth:inWidth:)`.
    public convenience init(_ tensor: FloatTensor) {
        self.init(outWidth: tensor.shape[0], inWidth: tensor.shape[1]) { row, buffer in
            for column in 0..<buffer.count { buffer[column] = tensor[row * buffer.count + column] }
        }
    }

    /// Rounds tensor `name` of `file` to bfloat16 reading it row by row with `pread`, so none of
    /// the file's pages become resident in this process while the copy is made.
    public convenience init(_ tensor: FloatTensor, named name: String, in file: SafetensorsFile) {
        self.init(outWidth: tensor.shape[0], inWidth: tensor.shape[1]) { row, buffer in
            file.readRow(row, of: tensor, named: name, into: &buffer, at: 0)
        }
    }

    private init(outWidth: Int, inWidth: Int, readRow: (Int, inout [Float]) -> Void) {
        precondition(Self.accepts(outWidth: outWidth, inWidth: inWidth), "bfloat16 kernel cannot take a \(outWidth)x\(inWidth) matrix")
        self.outWidth = outWidth
        self.inWidth = inWidth
        unsafe packed = UnsafeMutablePointer<UInt16>.allocate(capacity: outWidth * inWidth)
        var row = [Float](repeating: 0, count: inWidth)
        for r in 0..<outWidth {
            readRow(r, &row)
            unsafe row.withUnsafeBufferPointer { values in
                unsafe ckernels_bfloat16_pack_row(values.baseAddress!, r, inWidth, packed)
            }
        }
    }

    deinit { unsafe packed.deallocate() }

    /// The weight at row `row`, column `column` as stored (bfloat16), widened to Float.
    public subscript(row: Int, column: Int) -> Float {
        precondition(row >= 0 && row < outWidth && column >= 0 && column < inWidth)
        let bits = unsafe packed[ckernels_bfloat16_packed_index(row, column, inWidth)]
        return Float(bitPattern: UInt32(bits) << 16)
    }

    /// output (rows, out) ← bfloat16(input) (rows, in) · selfᵀ + bias: the inputs are rounded to
    /// bfloat16 too, the products summed in Float. `referenceLinear` is the plain version tests
    /// compare against.
    /// - Precondition: `BFloat16Matrix.isSupported`.
    public func linear(_ input: [Float], rows: Int, bias: FloatTensor, into output: inout [Float]) {
        precondition(Self.isSupported, "the bfloat16 kernel needs AVX512_BF16")
        precondition(bias.count == outWidth && input.count >= rows * inWidth && output.count >= rows * outWidth)
        guard rows > 0 else { return }
        var scratch = [UInt32](repeating: 0, count: rows * inWidth / 2)   // (rows, in / 2): bfloat16 pairs
        unsafe bias.withUnsafeBufferPointer { b in
            unsafe input.withUnsafeBufferPointer { x in
                unsafe output.withUnsafeMutableBufferPointer { y in
                    unsafe scratch.withUnsafeMutableBufferPointer { s in
                        unsafe ckernels_bfloat16_linear(x.baseAddress!, rows, inWidth, packed, outWidth, b.baseAddress!,
                                                        y.baseAddress!, s.baseAddress!)
                    }
                }
            }
        }
    }

    /// The plain loop `linear` is tested against: inputs rounded to bfloat16 as the kernel does,
    /// products accumulated in Double.
    public func referenceLinear(_ input: [Float], rows: Int, bias: FloatTensor) -> [Float] {
        var output = [Float](repeating: 0, count: rows * outWidth)
        for row in 0..<rows {
            let rounded = (0..<inWidth).map { Self.roundedToBFloat16(input[row * inWidth + $0]) }
            for o in 0..<outWidth {
                var sum = Double(bias[o])
                for i in 0..<inWidth { sum += Double(rounded[i]) * Double(self[o, i]) }
                output[row * outWidth + o] = Float(sum)
            }
        }
        return output
    }

    /// `value` rounded to the nearest bfloat16 (ties to even), widened back; written apart from
    /// the C rounding so the reference checks it. Finite values only.
    static func roundedToBFloat16(_ value: Float) -> Float {
        let bits = value.bitPattern
        return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
    }
}

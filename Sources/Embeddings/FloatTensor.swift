// Unsafe code allowed here: part of the safetensors reader. A FloatTensor is a read-only view
// into the mapped model file (or into a buffer it owns), kept alive by its storage object.

/// A read-only, row-major array of `Float` with a shape: a weight tensor viewed in place in the
/// mapped safetensors file when its alignment allows, else a copy.
///
/// Immutable after creation, so it is safe to share between threads.
@safe public struct FloatTensor: @unchecked Sendable {
    /// Keeps the memory behind `base` alive: the file mapping or an owned buffer.
    private let storage: AnyObject
    private let base: UnsafePointer<Float>
    public let shape: [Int]
    public let count: Int

    /// A view of `count` floats at `base`, which `storage` keeps alive and nobody mutates.
    init(unsafeBase base: UnsafePointer<Float>, count: Int, shape: [Int], storage: AnyObject) {
        unsafe self.base = base
        self.count = count
        self.shape = shape
        self.storage = storage
    }

    /// A tensor holding a copy of `values`; `shape` must multiply out to `values.count`.
    public init(_ values: [Float], shape: [Int]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values")
        let buffer = OwnedFloatBuffer(values)
        unsafe self.base = UnsafePointer(buffer.pointer)
        self.count = values.count
        self.shape = shape
        self.storage = buffer
    }

    /// A copy in a buffer of its own, independent of the file mapping.
    public func copied() -> FloatTensor {
        FloatTensor(values, shape: shape)
    }

    /// `copied()` when `condition` holds, else this view.
    public func copied(if condition: Bool) -> FloatTensor {
        condition ? copied() : self
    }

    /// The element at flat index `index` (bounds-checked).
    public subscript(index: Int) -> Float {
        precondition(index >= 0 && index < count, "index \(index) outside a tensor of \(count) elements")
        return unsafe base[index]
    }

    /// A copy of the elements, in order.
    public var values: [Float] {
        unsafe Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// Calls `body` with the elements; the pointer is valid only during the call.
    public func withUnsafeBufferPointer<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try withExtendedLifetime(storage) { () throws(Failure) -> Result in
            try unsafe body(UnsafeBufferPointer(start: base, count: count))
        }
    }
}

/// A heap buffer of floats that lives as long as the tensors that view it.
@safe final class OwnedFloatBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>

    init(_ values: [Float]) {
        unsafe pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(values.count, 1))
        unsafe values.withUnsafeBufferPointer { source in
            guard let start = source.baseAddress else { return }
            unsafe pointer.initialize(from: start, count: source.count)
        }
    }

    /// A buffer of `count` floats filled by `fill` (used to convert F16/BF16/unaligned F32 data).
    init(count: Int, fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
        unsafe pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        unsafe pointer.initialize(repeating: 0, count: max(count, 1))
        unsafe fill(UnsafeMutableBufferPointer(start: pointer, count: count))
    }

    deinit { unsafe pointer.deallocate() }
}

// Unsafe code allowed here: the one wrapper around libcrypto's SHA-256 calls.
import CCrypto

/// An incremental SHA-256 (FIPS 180-4), computed by OpenSSL's libcrypto (`SHA256_Update`), which
/// uses the CPU's SHA instructions where it has them.
///
/// Owns one `SHA256_CTX` (a plain struct: nothing to free).
@safe public final class SHA256 {
    private var context = SHA256_CTX()

    public init() {
        // SHA256_Init only fills in the initial hash value; it cannot fail.
        guard unsafe SHA256_Init(&context) == 1 else { fatalError("SHA256_Init failed") }
    }

    /// Feeds `bytes` to the digest (`SHA256_Update`).
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        guard unsafe SHA256_Update(&context, bytes.baseAddress, bytes.count) == 1 else { fatalError("SHA256_Update failed") }
    }

    public func update(_ bytes: [UInt8]) {
        unsafe bytes.withUnsafeBytes { unsafe update($0) }
    }

    /// The 32-byte digest (`SHA256_Final`). Call once; the context is spent afterwards.
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        let status = unsafe digest.withUnsafeMutableBufferPointer { buffer in
            unsafe SHA256_Final(buffer.baseAddress, &context)
        }
        guard status == 1 else { fatalError("SHA256_Final failed") }
        return digest
    }

    /// The digest of `bytes` in one call.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        let hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public static func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        let hasher = SHA256()
        unsafe hasher.update(bytes)
        return hasher.finalize()
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal, two digits a byte: how digests appear in manifests and messages.
    public var hexString: String {
        var text = ""
        text.reserveCapacity(count * 2)
        for byte in self {
            let digits = String(byte, radix: 16)
            if digits.count == 1 { text += "0" }
            text += digits
        }
        return text
    }
}

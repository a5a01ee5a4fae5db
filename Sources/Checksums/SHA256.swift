// Unsafe code allowed here: the one wrapper around libcrypto's EVP digest calls.
import CCrypto

/// An incremental SHA-256 (FIPS 180-4), computed by OpenSSL's libcrypto (`EVP_sha256`), which uses
/// the CPU's SHA instructions where it has them.
///
/// Owns one `EVP_MD_CTX`, created in `init` and freed in `deinit`.
@safe public final class SHA256 {
    private let context: OpaquePointer

    public init() {
        // EVP_MD_CTX_new fails only when malloc does; there is nothing sensible to do then.
        guard let context = unsafe EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        unsafe self.context = context
        guard unsafe EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { fatalError("EVP_DigestInit_ex(sha256) failed") }
    }

    deinit { unsafe EVP_MD_CTX_free(context) }

    /// Feeds `bytes` to the digest (`EVP_DigestUpdate`).
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        guard unsafe EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1 else { fatalError("EVP_DigestUpdate failed") }
    }

    public func update(_ bytes: [UInt8]) {
        unsafe bytes.withUnsafeBytes { unsafe update($0) }
    }

    /// The 32-byte digest (`EVP_DigestFinal_ex`). Call once; the context is spent afterwards.
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = unsafe digest.withUnsafeMutableBufferPointer { buffer in
            unsafe EVP_DigestFinal_ex(context, buffer.baseAddress, &length)
        }
        guard status == 1, length == 32 else { fatalError("EVP_DigestFinal_ex failed") }
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

import Testing
import Checksums

/// Digests from FIPS 180-4's examples and from `sha256sum` (coreutils), an independent implementation.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func digestMatchesPublishedValue(input: String, expected: String) {
        #expect(SHA256.digest(Array(input.utf8)).hexString == expected)
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let hasher = SHA256()
        hasher.update(Array(bytes[..<3]))
        hasher.update(Array(bytes[3..<4097]))
        hasher.update(Array(bytes[4097...]))
        #expect(hasher.finalize() == SHA256.digest(bytes))
    }

    /// FIPS 180-4's long example, one million "a": 15,625 blocks, fed in uneven pieces.
    @Test func millionLetterAMatchesPublishedValue() {
        let hasher = SHA256()
        var remaining = 1_000_000
        var piece = 1
        while remaining > 0 {
            let count = min(piece, remaining)
            hasher.update([UInt8](repeating: UInt8(ascii: "a"), count: count))
            remaining -= count
            piece = piece * 3 + 1
        }
        #expect(hasher.finalize().hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

/// Decodes HTML character references: the common named ones and numeric ones (`&#8212;`, `&#x2014;`).
///
/// Named references need their `;`; numeric ones may omit it, as browsers allow. A numeric value
/// that is not a Unicode scalar (zero, a surrogate, past U+10FFFF) becomes U+FFFD, and anything
/// that is not a reference this table knows stays as written.
enum HTMLEntities {
    static let named: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}",
        "mdash": "\u{2014}", "ndash": "\u{2013}", "hellip": "\u{2026}",
        "rsquo": "\u{2019}", "lsquo": "\u{2018}", "rdquo": "\u{201D}", "ldquo": "\u{201C}",
        "copy": "\u{00A9}", "reg": "\u{00AE}", "trade": "\u{2122}", "euro": "\u{20AC}", "pound": "\u{00A3}",
    ]

    static func decode(_ scalars: some Collection<Unicode.Scalar>) -> String {
        let input = Array(scalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < input.count {
            if input[index] == "&", let (scalar, length) = reference(in: input, at: index) {
                result.append(scalar)
                index += length
            } else {
                result.append(input[index])
                index += 1
            }
        }
        return String(result)
    }

    /// The scalar a reference starting at `start` (an `&`) stands for, and its length in scalars.
    private static func reference(in input: [Unicode.Scalar], at start: Int) -> (Unicode.Scalar, Int)? {
        var index = start + 1
        guard index < input.count else { return nil }
        if input[index] == "#" {
            index += 1
            var radix: UInt32 = 10
            if index < input.count && (input[index] == "x" || input[index] == "X") {
                radix = 16
                index += 1
            }
            var value: UInt32 = 0
            var digitCount = 0
            while index < input.count, let digit = Character(input[index]).hexDigitValue, UInt32(digit) < radix {
                if value <= 0x10FFFF { value = value * radix + UInt32(digit) }   // saturate, never overflow
                digitCount += 1
                index += 1
            }
            guard digitCount > 0 else { return nil }
            if index < input.count && input[index] == ";" { index += 1 }
            let scalar = (value == 0 ? nil : Unicode.Scalar(value)) ?? "\u{FFFD}"
            return (scalar, index - start)
        }
        while index < input.count && index - start <= 8 && input[index].isASCII && input[index].properties.isAlphabetic {
            index += 1
        }
        guard index < input.count, input[index] == ";",
              let scalar = named[String(String.UnicodeScalarView(input[(start + 1)..<index]))] else { return nil }
        return (scalar, index + 1 - start)
    }
}

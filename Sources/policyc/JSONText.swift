/// The two JSON spellings `policyc` prints by hand (one object per line, no Foundation needed).
enum JSONText {
    /// `text` as a JSON string literal (RFC 8259 §7).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// The shortest decimal that reads back as the same Float (Swift's `description`).
    static func number(_ value: Float) -> String {
        value.isFinite ? value.description : "null"
    }
}

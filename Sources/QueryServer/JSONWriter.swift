/// JSON text written straight into bytes, for the search body: the daemon's busiest response, which
/// JSONEncoder (a boxed value per field, then a second pass to write them) took about 0.1 ms to
/// encode, 2 % of a search's CPU time. The caller writes keys in sorted order, as JSONEncoder's
/// `.sortedKeys` does, so the body reads the same either way (`SearchResponseJSONTests`).
struct JSONWriter {
    /// A number JSON cannot carry (NaN or an infinity).
    struct NonFiniteNumber: Error {}

    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Punctuation or a literal, as given: `{`, `,`, `true`…
    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// `"name":`; the name needs no escaping.
    mutating func key(_ name: String) {
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func strings(_ values: [String]) { array(values) { $0.string($1) } }

    mutating func number(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }

    mutating func numbers(_ values: [Int]) { array(values) { $0.number($1) } }

    /// `[`, each value as `write` puts it, commas between, `]`.
    private mutating func array<Value>(_ values: [Value], _ write: (inout JSONWriter, Value) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// The shortest text that reads back as `value` (Swift's description), an integral value
    /// without its ".0", as JSONEncoder writes them.
    mutating func number(_ value: Float) throws(NonFiniteNumber) {
        guard value.isFinite else { throw NonFiniteNumber() }
        decimal(value.description)
    }

    mutating func number(_ value: Double) throws(NonFiniteNumber) {
        guard value.isFinite else { throw NonFiniteNumber() }
        decimal(value.description)
    }

    private mutating func decimal(_ text: String) {
        bytes.append(contentsOf: text.hasSuffix(".0") ? text.utf8.dropLast(2) : text.utf8[...])
    }

    mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }
}

/// A policy file's text as the loaders see it: valid UTF-8, without a byte-order mark, with "\n"
/// line endings, and split into lines whose offsets are counted in Unicode scalars and in UTF-8 bytes.
///
/// Every loader indexes `DocumentBlock.sourceRange` into `string` (which becomes
/// `SourceDocument.text`), so the conversion from cmark's byte columns and the HTML reader's
/// positions to scalar offsets happens here and nowhere else.
struct SourceText: Sendable {
    /// One line, without its "\n".
    struct Line: Sendable {
        /// Offset of the line's first scalar in the text.
        var scalarStart: Int
        /// Offset just past the line's last scalar (before the "\n").
        var scalarEnd: Int
        /// The line's UTF-8 bytes, for converting cmark's byte columns.
        var utf8: ArraySlice<UInt8>
        var text: String
        var isBlank: Bool { text.allSatisfy { $0 == " " || $0 == "\t" } }
    }

    let string: String
    let scalars: [Unicode.Scalar]
    let lines: [Line]

    /// Decodes `bytes`: checks UTF-8, strips a leading BOM and turns "\r\n" and lone "\r" into "\n".
    init(decoding bytes: [UInt8], path: String) throws(CompileError) {
        if let badOffset = SourceText.firstInvalidUTF8Offset(in: bytes) {
            throw .invalidUTF8(path: path, byteOffset: badOffset)
        }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        var normalized: [UInt8] = []
        normalized.reserveCapacity(body.count)
        var previousWasCR = false
        for byte in body {
            if byte == 0x0D {
                normalized.append(0x0A)
                previousWasCR = true
                continue
            }
            if byte == 0x0A && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            normalized.append(byte)
        }
        self.init(normalizedUTF8: normalized)
    }

    /// Text that is already valid UTF-8 with "\n" line endings.
    init(_ string: String) {
        self.init(normalizedUTF8: Array(string.utf8))
    }

    private init(normalizedUTF8 utf8: [UInt8]) {
        string = String(decoding: utf8, as: UTF8.self)
        scalars = Array(string.unicodeScalars)
        var lines: [Line] = []
        var byteStart = 0
        var scalarStart = 0
        var scalarIndex = 0
        var byteIndex = 0
        for scalar in scalars {
            if scalar == "\n" {
                lines.append(SourceText.line(utf8, bytes: byteStart..<byteIndex, scalars: scalarStart..<scalarIndex))
                byteStart = byteIndex + 1
                scalarStart = scalarIndex + 1
            }
            byteIndex += UTF8.width(scalar)
            scalarIndex += 1
        }
        if byteStart < utf8.count || lines.isEmpty {
            lines.append(SourceText.line(utf8, bytes: byteStart..<utf8.count, scalars: scalarStart..<scalars.count))
        }
        self.lines = lines
    }

    private static func line(_ utf8: [UInt8], bytes: Range<Int>, scalars: Range<Int>) -> Line {
        Line(scalarStart: scalars.lowerBound, scalarEnd: scalars.upperBound, utf8: utf8[bytes],
             text: String(decoding: utf8[bytes], as: UTF8.self))
    }

    /// The scalar offset of a 1-based line and a 1-based UTF-8 byte column in it (cmark's source
    /// positions). Out-of-range values are clamped, so a position cmark reports past a line's end
    /// lands on that end rather than on the next line.
    func scalarOffset(line: Int, byteColumn: Int) -> Int {
        guard !lines.isEmpty else { return 0 }
        let entry = lines[min(max(line, 1), lines.count) - 1]
        let byteCount = min(max(byteColumn - 1, 0), entry.utf8.count)
        var offset = entry.scalarStart
        var consumed = 0
        for byte in entry.utf8 {
            if consumed >= byteCount { break }
            if byte & 0xC0 != 0x80 { offset += 1 }   // a lead byte starts a new scalar
            consumed += 1
        }
        return min(offset, entry.scalarEnd)
    }

    /// The scalars from the start of line `first` to the end of line `last` (1-based, inclusive),
    /// with trailing blank lines left out.
    func range(lines first: Int, through last: Int) -> Range<Int> {
        guard !lines.isEmpty else { return 0..<0 }
        let firstIndex = min(max(first, 1), lines.count) - 1
        var lastIndex = min(max(last, first), lines.count) - 1
        while lastIndex > firstIndex && lines[lastIndex].isBlank { lastIndex -= 1 }
        return lines[firstIndex].scalarStart..<lines[lastIndex].scalarEnd
    }

    /// The text of a scalar range.
    func slice(_ range: Range<Int>) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[range.clamped(to: 0..<scalars.count)])
        return String(result)
    }

    /// The byte offset of the first byte that does not belong to a well-formed UTF-8 sequence
    /// (overlong forms, surrogates and values past U+10FFFF included), or nil if there is none.
    static func firstInvalidUTF8Offset(in bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }
}

/// Why an index artifact could not be opened, read, verified or written.
///
/// Every case carries where the problem is (file, section, byte offset) and `description` is one
/// lowercase line: what is wrong, then what to do.
public enum ArtifactError: Error, Equatable, Sendable {
    // Opening the file.
    case cannotOpen(path: String, reason: String)
    case notARegularFile(path: String)
    case fileChanged(path: String, openedByteCount: Int, currentByteCount: Int)

    // The header.
    case fileTooSmall(byteCount: Int, minimum: Int)
    case notAnArtifact(foundMagic: [UInt8])
    case lineEndingDamage
    case unsupportedMajorVersion(found: UInt16, supported: UInt16)
    case headerChecksumMismatch(stored: UInt64, computed: UInt64)
    case invalidHeaderField(field: String, value: UInt64, expected: String)
    case truncated(atByte: Int, expected: Int)
    case trailingBytes(byteCount: Int, declared: Int)

    // The section table.
    case sectionTableChecksumMismatch(stored: UInt64, computed: UInt64)
    case invalidSectionEntry(index: Int, section: SectionKind, field: String, value: UInt64, expected: String)
    case sectionOutOfBounds(section: SectionKind, byteOffset: UInt64, byteCount: UInt64, fileByteCount: Int)
    case sectionMisplaced(section: SectionKind, byteOffset: UInt64, expectedByteOffset: Int)
    case duplicateSection(SectionKind)
    case missingSection(SectionKind)

    // Verification.
    case sectionChecksumMismatch(section: SectionKind, byteOffset: Int, stored: UInt64, computed: UInt64)
    case trailerMissing(byteOffset: Int)
    case digestMismatch(stored: String, computed: String)

    // Section contents.
    case declaredSizeTooLarge(section: SectionKind, declared: UInt64, limit: Int)
    case corruptCompressedData(section: SectionKind, block: Int, byteOffset: Int)
    case malformedSection(section: SectionKind, byteOffset: Int, reason: String)
    case referenceOutOfRange(chunk: Int, field: String, value: UInt64, limit: UInt64)
    case invalidVector(row: Int, reason: String)

    // Writing.
    case invalidContents(reason: String)
    case writeFailed(path: String, reason: String)
}

extension ArtifactError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open \(path): \(reason); check the path and its permissions"
        case .notARegularFile(let path):
            "\(path) is not a regular file; pass the .pidx file written by policyc"
        case .fileChanged(let path, let opened, let current):
            "\(path) changed size while mapped (\(opened) bytes at open, \(current) now); replace artifacts by renaming a new file into place, never by writing over the old one"
        case .fileTooSmall(let byteCount, let minimum):
            "file has \(byteCount) bytes, fewer than the \(minimum) of an empty artifact; it is truncated or not an artifact, rebuild it with policyc"
        case .notAnArtifact(let magic):
            "not a policy index (magic bytes \(hex(magic)) at byte 0); pass a file written by policyc"
        case .lineEndingDamage:
            "the magic bytes show line-ending conversion (a text-mode transfer); copy the file again in binary mode"
        case .unsupportedMajorVersion(let found, let supported):
            "format v\(found).x is not readable by this build (it reads v\(supported).x); rebuild the artifact with the policyc that ships with this daemon, or upgrade the reader"
        case .headerChecksumMismatch(let stored, let computed):
            "header checksum mismatch at bytes 0..<64 (stored \(hex(stored)), computed \(hex(computed))); the file is damaged, rebuild or copy it again"
        case .invalidHeaderField(let field, let value, let expected):
            "header field \(field) is \(value), expected \(expected); the file is damaged or was written by an incompatible tool, rebuild it with policyc"
        case .truncated(let atByte, let expected):
            "file truncated at byte \(atByte) of \(expected); the copy was cut short, copy or rebuild it again"
        case .trailingBytes(let byteCount, let declared):
            "file has \(byteCount) bytes but its header declares \(declared); something was appended, rebuild or copy it again"
        case .sectionTableChecksumMismatch(let stored, let computed):
            "section table checksum mismatch (stored \(hex(stored)), computed \(hex(computed))); the file is damaged, rebuild or copy it again"
        case .invalidSectionEntry(let index, let section, let field, let value, let expected):
            "section table entry \(index) (\(section)): \(field) is \(value), expected \(expected); the file is damaged, rebuild it with policyc"
        case .sectionOutOfBounds(let section, let offset, let byteCount, let fileByteCount):
            "\(section) section at byte \(offset) with \(byteCount) bytes runs past the end of the \(fileByteCount)-byte file; the file is damaged or truncated, rebuild it"
        case .sectionMisplaced(let section, let offset, let expected):
            "\(section) section starts at byte \(offset), expected byte \(expected) (sections tile the file in table order, 64-byte aligned); the file is damaged, rebuild it"
        case .duplicateSection(let section):
            "the section table lists the \(section) section twice; the file is damaged, rebuild it"
        case .missingSection(let section):
            "the \(section) section is missing; the file is incomplete, rebuild it with policyc"
        case .sectionChecksumMismatch(let section, let offset, let stored, let computed):
            "\(section) section at byte \(offset) fails its checksum (stored \(hex(stored)), computed \(hex(computed))); the file is damaged, rebuild or copy it again"
        case .trailerMissing(let offset):
            "no trailer at byte \(offset) (magic bytes missing); the file is damaged or truncated, rebuild it"
        case .digestMismatch(let stored, let computed):
            "SHA-256 of the file does not match its trailer (stored \(stored), computed \(computed)); the file is damaged, rebuild or copy it again"
        case .declaredSizeTooLarge(let section, let declared, let limit):
            "\(section) section declares \(declared) bytes, above the \(limit)-byte limit; refusing to allocate, rebuild the file"
        case .corruptCompressedData(let section, let block, let offset):
            "\(section) section: LZ4 block \(block) at byte \(offset) does not decode to its declared size; the file is damaged, rebuild it"
        case .malformedSection(let section, let offset, let reason):
            "\(section) section at byte \(offset) is malformed: \(reason); rebuild the file with policyc"
        case .referenceOutOfRange(let chunk, let field, let value, let limit):
            "chunk \(chunk): \(field) is \(value), outside 0..<\(limit); the chunk table is inconsistent, rebuild the file"
        case .invalidVector(let row, let reason):
            "vector row \(row) \(reason); the vectors were written wrongly, rebuild the file"
        case .invalidContents(let reason):
            "cannot write the artifact: \(reason)"
        case .writeFailed(let path, let reason):
            "cannot write \(path): \(reason); check free space and permissions of the destination folder"
        }
    }
}

extension ArtifactError {
    /// A stable machine-readable name for the case, for JSON reports and HTTP error bodies.
    public var code: String {
        switch self {
        case .cannotOpen: "cannot_open"
        case .notARegularFile: "not_a_regular_file"
        case .fileChanged: "file_changed"
        case .fileTooSmall: "file_too_small"
        case .notAnArtifact: "not_an_artifact"
        case .lineEndingDamage: "line_ending_damage"
        case .unsupportedMajorVersion: "unsupported_major_version"
        case .headerChecksumMismatch: "header_checksum_mismatch"
        case .invalidHeaderField: "invalid_header_field"
        case .truncated: "truncated"
        case .trailingBytes: "trailing_bytes"
        case .sectionTableChecksumMismatch: "section_table_checksum_mismatch"
        case .invalidSectionEntry: "invalid_section_entry"
        case .sectionOutOfBounds: "section_out_of_bounds"
        case .sectionMisplaced: "section_misplaced"
        case .duplicateSection: "duplicate_section"
        case .missingSection: "missing_section"
        case .sectionChecksumMismatch: "section_checksum_mismatch"
        case .trailerMissing: "trailer_missing"
        case .digestMismatch: "digest_mismatch"
        case .declaredSizeTooLarge: "declared_size_too_large"
        case .corruptCompressedData: "corrupt_compressed_data"
        case .malformedSection: "malformed_section"
        case .referenceOutOfRange: "reference_out_of_range"
        case .invalidVector: "invalid_vector"
        case .invalidContents: "invalid_contents"
        case .writeFailed: "write_failed"
        }
    }

    /// True when the file could not be read at all (as opposed to read and found wrong).
    public var isFileAccessProblem: Bool {
        switch self {
        case .cannotOpen, .notARegularFile: true
        default: false
        }
    }
}

/// Lower-case hexadecimal with a 0x prefix, for checksums in messages.
func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits
}

/// Bytes as space-separated hexadecimal pairs, for magic numbers in messages.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined(separator: " ")
}

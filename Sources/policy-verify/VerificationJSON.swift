import Foundation
import IndexCompiler
import IndexFormat

/// The `--json` report: one object, stable keys, for CI.
enum VerificationJSON {
    struct Section: Encodable {
        let kind: String
        let codec: String
        let byteOffset: Int
        let storedByteCount: Int
        let rawByteCount: Int
        let checksum: String
    }

    struct Problem: Encodable {
        let code: String
        let message: String
    }

    struct Freshness: Encodable {
        let current: Bool
        let changed: [String]
        let added: [String]
        let removed: [String]
        let differences: [String]
    }

    struct Report: Encodable {
        let path: String
        let valid: Bool
        let formatVersion: String?
        let byteCount: Int?
        let sha256: String?
        let modelName: String?
        let modelFingerprint: String?
        let chunkCount: Int?
        let documentCount: Int?
        let dimension: Int?
        let sections: [Section]
        let problems: [Problem]
        let omittedProblemCount: Int
        let against: Freshness?
    }

    static func render(_ report: VerificationReport, freshness: FreshnessReport? = nil) throws -> String {
        let body = Report(
            path: report.path, valid: report.isValid, formatVersion: report.formatVersion, byteCount: report.byteCount,
            sha256: report.digest, modelName: report.modelName, modelFingerprint: report.modelFingerprint,
            chunkCount: report.chunkCount, documentCount: report.documentCount, dimension: report.dimension,
            sections: report.sections.map {
                Section(kind: "\($0.kind)", codec: "\($0.codec)", byteOffset: $0.byteOffset, storedByteCount: $0.storedByteCount,
                        rawByteCount: $0.rawByteCount, checksum: String(format: "%016llx", $0.checksum))
            },
            problems: report.problems.map { Problem(code: $0.code, message: $0.description) },
            omittedProblemCount: report.omittedProblemCount,
            against: freshness.map {
                Freshness(current: $0.isCurrent, changed: $0.changed, added: $0.added, removed: $0.removed,
                          differences: $0.settingsChanges + $0.contentDifferences)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(body), as: UTF8.self)
    }
}

/// What `policy-verify` found in an artifact: its identity and every problem.
public struct VerificationReport: Sendable {
    public var path: String
    public var byteCount: Int?
    public var formatVersion: String?
    public var sections: [SectionEntry] = []
    public var chunkCount: Int?
    public var documentCount: Int?
    public var dimension: Int?
    public var modelName: String?
    public var modelFingerprint: String?
    public var digest: String?
    /// Every problem found, in the order checked. Empty means the artifact is valid.
    public var problems: [ArtifactError] = []
    /// Problems of one kind past `ArtifactVerifier.problemLimitPerCheck`, counted but not listed.
    public var omittedProblemCount = 0

    public var isValid: Bool { problems.isEmpty && omittedProblemCount == 0 }
}

/// Deep checks of an artifact, beyond what opening does: every checksum, the trailer digest, every
/// LZ4 block, the JSON sections, every chunk's text (UTF-8), every vector (finite, unit length)
/// and every chunk reference.
/// Collects every problem instead of stopping at the first.
public enum ArtifactVerifier {
    /// |‖v‖ − 1| allowed for a stored vector: Float16 keeps 11 significant bits, so rounding moves a
    /// unit vector's norm by at most about 5e-4.
    public static let unitLengthTolerance: Float = 1e-3
    /// At most this many problems of one check are listed; the rest are counted.
    public static let problemLimitPerCheck = 50

    public static func verify(path: String) -> VerificationReport {
        var report = VerificationReport(path: path)
        let reader: ArtifactReader
        do {
            reader = try ArtifactReader(path: path)
        } catch {
            report.problems.append(error)
            return report
        }
        verify(reader, into: &report)
        return report
    }

    public static func verify(_ reader: ArtifactReader, into report: inout VerificationReport) {
        report.byteCount = Int(reader.header.fileByteCount)
        report.formatVersion = "\(reader.header.majorVersion).\(reader.header.minorVersion)"
        report.sections = reader.sections
        report.chunkCount = reader.chunkCount
        report.dimension = reader.vectors.dimension
        report.digest = reader.digest

        func record(_ problems: [ArtifactError]) {
            report.problems += problems.prefix(problemLimitPerCheck)
            report.omittedProblemCount += max(0, problems.count - problemLimitPerCheck)
        }
        func attempt(_ body: () throws(ArtifactError) -> Void) {
            do { try body() } catch { report.problems.append(error) }
        }

        attempt { () throws(ArtifactError) in record(try reader.sectionChecksumProblems()) }
        attempt { () throws(ArtifactError) in try reader.verifyDigest() }
        record(reader.blockProblems())

        var documents: [DocumentRecord]? = nil
        attempt { () throws(ArtifactError) in
            let manifest = try reader.manifest()
            report.modelName = manifest.model.name
            report.modelFingerprint = manifest.model.fingerprint
            if manifest.model.dimension != reader.vectors.dimension {
                let vectorsOffset = reader.sections.first { $0.kind == .vectors }?.byteOffset ?? 0
                throw .malformedSection(section: .vectors, byteOffset: vectorsOffset + 4,
                                        reason: "vectors have dimension \(reader.vectors.dimension) but the manifest's model has \(manifest.model.dimension)")
            }
        }
        attempt { () throws(ArtifactError) in
            documents = try reader.documents()
            report.documentCount = documents?.count
        }
        record(reader.chunkTextProblems())
        record(vectorProblems(reader.vectors))
        if let documents { record(chunkProblems(reader, documents: documents)) }
        attempt { () throws(ArtifactError) in
            if let lexicon = try reader.lexicon() { record(lexicon.problems()) }
        }
        attempt { () throws(ArtifactError) in
            if let signatures = try reader.tokenSignatures() { record(signatures.structureProblems()) }
        }
    }

    /// Rows with a non-finite value or a norm off 1 by more than `unitLengthTolerance`.
    static func vectorProblems(_ vectors: VectorMatrix) -> [ArtifactError] {
        var problems: [ArtifactError] = []
        for row in 0..<vectors.rowCount {
            let values = vectors.row(row)
            if let column = values.firstIndex(where: { !$0.isFinite }) {
                problems.append(.invalidVector(row: row, reason: "has a non-finite value in column \(column)"))
                continue
            }
            let norm = values.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            if abs(norm - 1) > unitLengthTolerance {
                problems.append(.invalidVector(row: row, reason: "has norm \(norm), not 1 ± \(unitLengthTolerance)"))
            }
        }
        return problems
    }

    /// Chunk records whose document, outline entry or text range is out of range, and repeated IDs.
    static func chunkProblems(_ reader: ArtifactReader, documents: [DocumentRecord]) -> [ArtifactError] {
        var problems: [ArtifactError] = []
        var seen: [UInt64: Int] = [:]
        for index in 0..<reader.chunkCount {
            let record: ChunkRecord
            do { record = try reader.chunk(at: index) } catch { problems.append(error); continue }
            guard record.documentIndex < documents.count else {
                problems.append(.referenceOutOfRange(chunk: index, field: "document index", value: UInt64(record.documentIndex), limit: UInt64(documents.count)))
                continue
            }
            let outlineCount = documents[record.documentIndex].outline.count
            if let outline = record.outlineIndex, outline >= outlineCount {
                problems.append(.referenceOutOfRange(chunk: index, field: "outline index", value: UInt64(outline), limit: UInt64(outlineCount)))
            }
            if let first = seen.updateValue(index, forKey: record.id) {
                problems.append(.malformedSection(section: .chunkTable, byteOffset: reader.chunkRecordByteOffset(index),
                                                  reason: "chunks \(first) and \(index) share the ID \(record.displayID)"))
            }
        }
        return problems
    }
}

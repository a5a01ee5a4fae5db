import ArgumentParser
import IndexFormat

/// `policyc inspect`: what an artifact holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an artifact's manifest and chunks per document, or one chunk's text.",
        discussion: """
            Without --chunk: the compiler, model and chunking settings from the manifest, then every \
            document with its chunk count. With --chunk: that chunk's record and text (IDs look like \
            c0123456789abcdef; an index from 0 works too).

            Exit codes:
              0   shown
              1   the artifact could not be read, or no chunk has that ID
              64  invalid command-line usage
            """)

    @Argument(help: ArgumentHelp("The artifact (.pidx).", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Show this chunk (ID or index).", valueName: "id"))
    var chunk: String?

    func run() throws {
        let reader = try Self.read { () throws(ArtifactError) in try ArtifactReader(path: file) }
        let documents = try Self.read { () throws(ArtifactError) in try reader.documents() }
        if let chunk {
            try show(chunk, reader: reader, documents: documents)
            return
        }
        let manifest = try Self.read { () throws(ArtifactError) in try reader.manifest() }
        print("\(file): format v\(reader.header.majorVersion).\(reader.header.minorVersion), \(reader.header.fileByteCount) bytes, sha-256 \(reader.digest)")
        print("compiler  \(manifest.compiler.name) \(manifest.compiler.version)")
        print("model     \(manifest.model.name), dimension \(manifest.model.dimension), fingerprint \(manifest.model.fingerprint), "
            + "embedded in \(manifest.model.precision ?? "float32")")
        print("chunking  target \(manifest.chunking.targetTokenCount) tokens, overlap \(manifest.chunking.overlapTokenCount), maximum \(manifest.chunking.maximumTokenCount)")
        if let signatures = try Self.read({ () throws(ArtifactError) in try reader.tokenSignatures() }) {
            print("re-rank   \(signatures.tokenCount) token signatures of \(signatures.dimension) bits (late interaction)")
        } else {
            print("re-rank   none: no token signatures (format before 1.2); hybrid search is not re-ranked")
        }
        var counts = [Int](repeating: 0, count: documents.count)
        var tokens = [Int](repeating: 0, count: documents.count)
        for index in 0..<reader.chunkCount {
            let record = try Self.read { () throws(ArtifactError) in try reader.chunk(at: index) }
            guard record.documentIndex < documents.count else { continue }
            counts[record.documentIndex] += 1
            tokens[record.documentIndex] += record.tokenCount
        }
        print("\(documents.count) documents, \(reader.chunkCount) chunks:")
        for (index, document) in documents.enumerated() {
            let average = counts[index] == 0 ? 0 : tokens[index] / counts[index]
            print("  \(pad(String(counts[index]), 4)) chunks, \(pad(String(average), 3)) tokens on average  \(document.path)  \(document.title)")
        }
    }

    private func show(_ key: String, reader: ArtifactReader, documents: [DocumentRecord]) throws {
        let wanted = ChunkRecord.id(fromDisplayID: key)
        var found: Int? = Int(key).flatMap { $0 >= 0 && $0 < reader.chunkCount ? $0 : nil }
        if found == nil, let wanted {
            for index in 0..<reader.chunkCount where (try? reader.chunk(at: index).id) == wanted {
                found = index
                break
            }
        }
        guard let index = found else { throw ValidationFailure(message: "policyc: no chunk \(key) in \(file); `policyc inspect \(file)` lists documents") }
        let record = try Self.read { () throws(ArtifactError) in try reader.chunk(at: index) }
        let text = try Self.read { () throws(ArtifactError) in try reader.chunkText(at: index) }
        let document = record.documentIndex < documents.count ? documents[record.documentIndex] : nil
        let path = record.outlineIndex.flatMap { document?.outline.indices.contains($0) == true ? document?.outline[$0].headingPath : nil }
        print("chunk     \(record.displayID) (index \(index))")
        print("document  \(document?.path ?? "?")  \(document?.title ?? "")")
        print("section   \((path ?? []).joined(separator: " > "))")
        print("tokens    \(record.tokenCount); characters \(record.sourceCharacterRange.lowerBound)..<\(record.sourceCharacterRange.upperBound) of the source")
        print("")
        print(text)
    }

    static func read<Value>(_ body: () throws(ArtifactError) -> Value) throws(ValidationFailure) -> Value {
        do { return try body() } catch { throw ValidationFailure(message: "policyc: \(error)") }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// A failure the command line reports as "policyc: …" with exit code 1.
struct ValidationFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

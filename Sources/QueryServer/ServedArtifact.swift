import IndexFormat
import Retrieval

/// One mapped, verified artifact and what the routes need from it, decoded once.
///
/// Requests hold a reference for their whole life, so after a reload the old mapping stays valid
/// until the last request using it finishes; it is unmapped when the object is released.
package final class ServedArtifact: Sendable {
    package let path: String
    package let reader: ArtifactReader
    package let manifest: Manifest
    package let documents: [DocumentRecord]
    /// Per document, one anchor per outline entry (unique within the document).
    package let anchors: [[String]]
    package let digest: String
    /// 1 for the artifact mapped at start, then one more for each successful reload.
    package let generation: Int
    /// Dense, lexical and hybrid search with filters and passage merging.
    package let retriever: Retriever

    /// Maps `path` and checks the header, table and every section's checksum; with
    /// `verifiesDigest`, the SHA-256 trailer too. Decodes the manifest and the documents.
    package init(path: String, verifiesDigest: Bool, generation: Int) throws(ArtifactError) {
        let reader = try ArtifactReader(path: path)
        try reader.verifySectionChecksums()
        if verifiesDigest { try reader.verifyDigest() }
        let manifest = try reader.manifest()
        let documents = try reader.documents()
        guard manifest.model.dimension == reader.vectors.dimension else {
            throw .malformedSection(section: .manifest, byteOffset: 0,
                                    reason: "the manifest's model dimension \(manifest.model.dimension) differs from the vectors' \(reader.vectors.dimension)")
        }
        self.path = path
        self.reader = reader
        self.manifest = manifest
        self.documents = documents
        self.anchors = documents.map { SectionAnchor.anchors(for: $0.outline) }
        self.digest = reader.digest
        self.generation = generation
        self.retriever = try Retriever(reader: reader)
        reader.releaseResidentPages()   // verification touched every page; searches bring back what they need
    }

    package var chunkCount: Int { reader.chunkCount }

    /// The document a path or a decimal index names, if any.
    package func documentIndex(for id: String) -> Int? {
        if let index = Int(id), documents.indices.contains(index) { return index }
        return documents.firstIndex { $0.path == id }
    }
}

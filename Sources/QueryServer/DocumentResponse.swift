import IndexFormat

/// `GET /v1/documents`: every document, briefly.
struct DocumentListResponse: Encodable {
    struct Entry: Encodable {
        var index: Int
        var path: String
        var title: String
        var sectionCount: Int
        var url: String
    }
    var documents: [Entry]

    init(_ artifact: ServedArtifact) {
        documents = artifact.documents.enumerated().map { index, document in
            Entry(index: index, path: document.path, title: document.title, sectionCount: document.outline.count,
                  url: "/v1/documents/\(index)")
        }
    }
}

/// `GET /v1/documents/{id}`: one document's metadata and its sections in outline order, each
/// with the anchor search results link to.
struct DocumentResponse: Encodable {
    struct Section: Encodable {
        var anchor: String
        var level: Int
        var heading: String
        var headingPath: [String]
        var headingPathText: String
        var sourceCharacterRange: [Int]
        var url: String
    }
    var index: Int
    var path: String
    var title: String
    var sha256: String
    var metadata: [String: String]
    var sections: [Section]

    init(_ artifact: ServedArtifact, index: Int) {
        let document = artifact.documents[index]
        self.index = index
        path = document.path
        title = document.title
        sha256 = document.sha256
        metadata = document.metadata
        sections = document.outline.enumerated().map { position, entry in
            let anchor = artifact.anchors[index][position]
            return Section(anchor: anchor, level: entry.level, heading: entry.headingPath.last ?? "",
                           headingPath: entry.headingPath, headingPathText: entry.headingPath.joined(separator: " > "),
                           sourceCharacterRange: [entry.sourceCharacterStart, entry.sourceCharacterEnd],
                           url: "/v1/documents/\(index)#\(anchor)")
        }
    }
}

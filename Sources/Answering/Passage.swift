/// One retrieved policy section as the answer sees it: numbered `[n]` in the prompt and in
/// citations, in rank order from 1.
public struct Passage: Sendable, Equatable {
    /// The number the prompt and the answer use for it: 1 for the best match.
    public var number: Int
    public var chunkId: String
    /// The document's path in the handbook (`hr/leave.md`).
    public var document: String
    public var title: String
    public var headingPath: [String]
    public var text: String
    /// Where the section is served: `/v1/documents/{index}#{anchor}`.
    public var url: String
    /// Cosine similarity of the question's embedding with the passage's (dense retrieval).
    public var denseScore: Float
    /// The passage's BM25 score for the question's words (0 when none matched).
    public var lexicalScore: Float

    public init(number: Int, chunkId: String, document: String, title: String, headingPath: [String], text: String,
                url: String, denseScore: Float, lexicalScore: Float = 0) {
        self.number = number
        self.chunkId = chunkId
        self.document = document
        self.title = title
        self.headingPath = headingPath
        self.text = text
        self.url = url
        self.denseScore = denseScore
        self.lexicalScore = lexicalScore
    }
}

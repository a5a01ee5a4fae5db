import Answering

/// The one place chat gets its passages: the search path `/v1/search` uses (hybrid), numbered
/// from 1 in rank order, each with its dense and lexical scores, which the refusal rule reads.
enum ChatPassages {
    static func retrieve(_ question: String, k: Int, using service: SearchService) async throws -> (passages: [Passage], embeddingCached: Bool) {
        let response = try await service.search(SearchRequest(query: question, k: k, documents: nil))
        let passages = response.results.map { result in
            Passage(number: result.rank, chunkId: result.chunkId, document: result.document.path, title: result.document.title,
                    headingPath: result.headingPath, text: result.text, url: result.url, denseScore: result.denseScore,
                    lexicalScore: result.lexicalScore)
        }
        return (passages, response.embeddingCached)
    }
}

import IndexFormat

/// Why a search could not run as asked. `description` says what to do.
public enum RetrievalError: Error, Equatable, Sendable {
    /// The artifact has no lexicon section (format 1.0, or built before lexical search).
    case noLexicon
    /// The lexicon was tokenized by another version of `SearchTokenizer`.
    case tokenizerMismatch(artifact: UInt32, reader: UInt32)
    case artifact(ArtifactError)
}

extension RetrievalError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noLexicon:
            "the artifact has no lexicon section (format 1.0), so lexical search is unavailable; rebuild it with this policyc (tools/build-artifact) or search with mode \"dense\""
        case .tokenizerMismatch(let artifact, let reader):
            "the artifact's lexicon was tokenized by search tokenizer v\(artifact) but this build has v\(reader); rebuild the artifact with this policyc"
        case .artifact(let error): error.description
        }
    }
}

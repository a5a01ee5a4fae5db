import IndexFormat

/// Why the compiler could not build an artifact. Each case names the file (and where in it) and
/// `description` ends with what to do.
public enum CompileError: Error, Equatable, Sendable {
    // Reading sources.
    case cannotRead(path: String, reason: String)
    case invalidUTF8(path: String, byteOffset: Int)
    case fileTooLarge(path: String, byteCount: Int, limit: Int)
    case emptyDocument(path: String)
    case duplicateTitle(title: String, paths: [String])
    case invalidFrontMatter(path: String, line: Int, reason: String)
    case unsupportedFileType(path: String)
    case markdownParserFailed(path: String)
    case noDocuments(folder: String)

    // The embedding cache.
    case cacheUnusable(path: String, reason: String)

    // Embedding and writing.
    case embeddingFailed(reason: String)
    case artifact(ArtifactError)
}

extension CompileError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .cannotRead(let path, let reason):
            "cannot read \(path): \(reason); check that it exists and is readable"
        case .invalidUTF8(let path, let byteOffset):
            "\(path) is not valid UTF-8 at byte \(byteOffset); re-save it as UTF-8"
        case .fileTooLarge(let path, let byteCount, let limit):
            "\(path) has \(byteCount) bytes, above the \(limit)-byte limit for one policy; split it into several documents"
        case .emptyDocument(let path):
            "\(path) has no text once its markup and front matter are removed; add content or delete the file"
        case .duplicateTitle(let title, let paths):
            "the title \"\(title)\" is used by \(paths.joined(separator: " and ")); give each document its own title so citations are unambiguous"
        case .invalidFrontMatter(let path, let line, let reason):
            "\(path) line \(line): \(reason); front matter is `key: value` lines between two `---` lines"
        case .unsupportedFileType(let path):
            "\(path) is not a policy format policyc reads (.md, .markdown, .txt, .html, .htm); remove it or convert it"
        case .markdownParserFailed(let path):
            "the Markdown parser could not parse \(path); check the file for binary content"
        case .noDocuments(let folder):
            "no policy documents (.md, .txt, .html) found under \(folder); pass the folder that holds them"
        case .cacheUnusable(let path, let reason):
            "the embedding cache \(path) is unusable (\(reason)); delete it and compile again (it is rebuilt from scratch)"
        case .embeddingFailed(let reason):
            "embedding failed: \(reason)"
        case .artifact(let error):
            error.description
        }
    }
}

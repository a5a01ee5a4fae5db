import Checksums
import Foundation

/// Turns policy files into `SourceDocument`s: the one entry point to the Markdown, plain-text and
/// HTML loaders.
public enum DocumentLoader {
    /// The largest policy file accepted, in bytes (2 MiB; the largest in the corpus is about 30 KiB).
    public static let maximumByteCount = 2 * 1024 * 1024

    /// The extensions read, lowercased, and the format each means.
    static let formats: [String: Format] = [
        "md": .markdown, "markdown": .markdown, "txt": .plainText, "html": .html, "htm": .html,
    ]

    enum Format { case markdown, plainText, html }

    /// Loads one file, choosing the loader by extension (case-insensitive).
    ///
    /// Before any parsing: the size limit, then UTF-8 validity. A leading byte-order mark is
    /// dropped and "\r\n" becomes "\n", so `SourceDocument.text` (and every `sourceRange`) refers
    /// to the normalized text. A document without any block text is an error.
    ///
    /// - Parameter relativePath: the path under the corpus folder, "/"-separated; it names the
    ///   document and appears in errors.
    public static func load(relativePath: String, bytes: [UInt8]) throws(CompileError) -> SourceDocument {
        guard let format = formats[fileExtension(relativePath)] else { throw .unsupportedFileType(path: relativePath) }
        guard bytes.count <= maximumByteCount else {
            throw .fileTooLarge(path: relativePath, byteCount: bytes.count, limit: maximumByteCount)
        }
        let text = try SourceText(decoding: bytes, path: relativePath)
        var document = switch format {
        case .markdown: try MarkdownLoader.load(path: relativePath, text: text)
        case .plainText: try PlainTextLoader.load(path: relativePath, text: text)
        case .html: HTMLLoader.load(path: relativePath, text: text)
        }
        guard document.blocks.contains(where: { !$0.text.isEmpty }) else { throw .emptyDocument(path: relativePath) }
        document.sourceSHA256 = SHA256.digest(bytes).hexString
        document.sourceByteCount = bytes.count
        return document
    }

    /// Whether `relativePath` has an extension `load` reads.
    public static func isSupported(_ relativePath: String) -> Bool {
        formats[fileExtension(relativePath)] != nil
    }

    /// The lowercased text after the last "." of the file name, or "" without one.
    static func fileExtension(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    /// The file name without its extension: the title of last resort.
    static func fileStem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}

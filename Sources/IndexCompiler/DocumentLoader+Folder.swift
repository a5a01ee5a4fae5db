import Foundation

extension DocumentLoader {
    /// Loads every policy under `folder`, recursively, sorted by relative path ("/" separators).
    ///
    /// Hidden files and folders (names starting with ".") and a `README.md` at the top of the
    /// folder are skipped; any other file must be a supported type. Titles must be unique
    /// (compared case-insensitively, since a citation names the document by title).
    ///
    /// - Returns: the documents and warnings worth showing but not worth failing for: a front
    ///   matter title that differs from the document's level-1 heading, and missing
    ///   owner/version/effective metadata.
    public static func loadFolder(_ folder: String) throws(CompileError) -> (documents: [SourceDocument], warnings: [String]) {
        let root = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL
        guard (try? root.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true else {
            throw .cannotRead(path: folder, reason: "not a folder")
        }
        let relativePaths = try policyPaths(under: root)
        guard !relativePaths.isEmpty else { throw .noDocuments(folder: folder) }

        var documents: [SourceDocument] = []
        var warnings: [String] = []
        for relativePath in relativePaths {
            let url = root.appendingPathComponent(relativePath)
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                throw .cannotRead(path: relativePath, reason: error.localizedDescription)
            }
            let document = try load(relativePath: relativePath, bytes: [UInt8](data))
            warnings += Self.warnings(for: document)
            documents.append(document)
        }

        var pathsByTitle: [String: [String]] = [:]
        for document in documents { pathsByTitle[document.title.lowercased(), default: []].append(document.path) }
        if let document = documents.first(where: { (pathsByTitle[$0.title.lowercased()]?.count ?? 0) > 1 }) {
            throw .duplicateTitle(title: document.title, paths: pathsByTitle[document.title.lowercased()] ?? [])
        }
        return (documents, warnings)
    }

    /// The relative paths of the files to load, sorted; throws for an unsupported file.
    private static func policyPaths(under root: URL) throws(CompileError) -> [String] {
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey], options: [.skipsHiddenFiles]
        ) else {
            throw .cannotRead(path: root.path, reason: "the folder cannot be listed")
        }
        let rootPrefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        var paths: [String] = []
        for case let url as URL in enumerator {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey])
            guard values?.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPrefix) else { continue }
            let relative = path.dropFirst(rootPrefix.count).split(separator: "/")
            guard !relative.isEmpty, !relative.contains(where: { $0.hasPrefix(".") }) else { continue }
            let relativePath = relative.joined(separator: "/")
            if relative.count == 1, relativePath.lowercased() == "readme.md" { continue }
            guard isSupported(relativePath) else { throw .unsupportedFileType(path: relativePath) }
            paths.append(relativePath)
        }
        return paths.sorted()
    }

    private static func warnings(for document: SourceDocument) -> [String] {
        var warnings: [String] = []
        if let heading = document.blocks.first(where: { $0.kind == .heading(level: 1) }), heading.text != document.title {
            warnings.append("\(document.path): the title \"\(document.title)\" differs from the first heading \"\(heading.text)\"; make them the same")
        }
        let missing = ["owner", "version", "effective"].filter { document.metadata[$0] == nil }
        if !missing.isEmpty {
            warnings.append("\(document.path): no \(missing.joined(separator: ", ")) in the metadata; add them to the front matter or meta tags")
        }
        return warnings
    }
}

import Foundation
import Testing
import TestSupport
@testable import IndexCompiler

@Suite struct DocumentFolderTests {
    /// A temporary folder holding `files` (relative path → contents).
    private func folder(_ files: [String: String]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("loaders")
        for (path, contents) in files {
            let url = directory.url.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
        return directory
    }

    @Test func loadsEverySupportedFileSortedAndSkipsHiddenFilesAndTheTopReadme() throws {
        let directory = try folder([
            "README.md": "---\nbroken front matter",
            ".DS_Store": "\u{0}binary",
            ".drafts/draft.md": "# Draft",
            "sub/README.md": "# Sub Readme",
            "b.txt": "B Title\n=======\n\nBody.",
            "a/c.md": "---\ntitle: C\nowner: O\nversion: 1\neffective: 2026-01-01\n---\n# C\n\nText.",
            "a/b.HTML": "<title>A B</title><p>Text</p>",
        ])
        let (documents, warnings) = try DocumentLoader.loadFolder(directory.url.path)
        #expect(documents.map(\.path) == ["a/b.HTML", "a/c.md", "b.txt", "sub/README.md"])
        #expect(documents.map(\.title) == ["A B", "C", "B Title", "Sub Readme"])
        #expect(warnings == [
            "a/b.HTML: no owner, version, effective in the metadata; add them to the front matter or meta tags",
            "b.txt: no owner, version, effective in the metadata; add them to the front matter or meta tags",
            "sub/README.md: no owner, version, effective in the metadata; add them to the front matter or meta tags",
        ])
    }

    @Test func aTitleThatDiffersFromTheHeadingIsAWarning() throws {
        let directory = try folder(["a.md": "---\ntitle: Travel\nowner: O\nversion: 1\neffective: 2026-01-01\n---\n# Travel Policy\n"])
        let (_, warnings) = try DocumentLoader.loadFolder(directory.url.path)
        #expect(warnings == ["a.md: the title \"Travel\" differs from the first heading \"Travel Policy\"; make them the same"])
    }

    @Test func anUnsupportedFileIsAnError() throws {
        let directory = try folder(["a.md": "# A", "notes/b.pdf": "%PDF"])
        #expect(throws: CompileError.unsupportedFileType(path: "notes/b.pdf")) {
            try DocumentLoader.loadFolder(directory.url.path)
        }
    }

    @Test func duplicateTitlesNameEveryFile() throws {
        let directory = try folder(["x/a.md": "# Travel Policy", "y/b.txt": "Travel policy\n=============\n", "c.md": "# Other"])
        #expect(throws: CompileError.duplicateTitle(title: "Travel Policy", paths: ["x/a.md", "y/b.txt"])) {
            try DocumentLoader.loadFolder(directory.url.path)
        }
    }

    @Test func aFolderWithoutDocumentsIsAnError() throws {
        let directory = try folder(["README.md": "# Readme", ".hidden.md": "# Hidden"])
        #expect(throws: CompileError.noDocuments(folder: directory.url.path)) {
            try DocumentLoader.loadFolder(directory.url.path)
        }
    }

    @Test func aMissingFolderCannotBeRead() {
        #expect(throws: CompileError.cannotRead(path: "/nonexistent/policies", reason: "not a folder")) {
            try DocumentLoader.loadFolder("/nonexistent/policies")
        }
    }

    @Test func anErrorInOneFileNamesItsRelativePath() throws {
        let directory = try folder(["a.md": "# A", "hr/b.md": "---\ntitle B\n---\n"])
        #expect(throws: CompileError.invalidFrontMatter(path: "hr/b.md", line: 2, reason: "expected `key: value`, found no colon")) {
            try DocumentLoader.loadFolder(directory.url.path)
        }
    }
}

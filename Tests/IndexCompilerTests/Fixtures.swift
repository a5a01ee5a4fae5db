import Foundation
@testable import IndexCompiler

/// Files in `Fixtures/` beside this file, and the real corpus in `policies/` at the package root.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("policies")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Loads a fixture through the public entry point, under its own file name.
    static func document(_ name: String) throws -> SourceDocument {
        try DocumentLoader.load(relativePath: name, bytes: bytes(name))
    }
}

extension SourceDocument {
    /// The text a block's `sourceRange` points at.
    func source(of block: DocumentBlock) -> String {
        String(String.UnicodeScalarView(Array(text.unicodeScalars)[block.sourceRange]))
    }

    func blocks(_ kind: DocumentBlock.Kind) -> [DocumentBlock] { blocks.filter { $0.kind == kind } }
}

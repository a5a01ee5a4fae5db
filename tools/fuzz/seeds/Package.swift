// swift-tools-version: 6.2
// Writes the fuzz seed corpus (tools/fuzz/corpus/) with the real ArtifactWriter: run it through
// tools/fuzz/make-seeds, which builds it in tools/fuzz/build/seeds (git-ignored).
import Foundation
import PackageDescription

/// The root package's identity is the name of the folder it was cloned into (`main` here, but any
/// name in another clone), so it is computed rather than written down.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../..").standardizedFileURL

let package = Package(
    name: "FuzzSeeds",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../../.."),
    ],
    targets: [
        .executableTarget(
            name: "make-seeds",
            dependencies: [.product(name: "IndexFormat", package: root.lastPathComponent)]),
    ],
    swiftLanguageModes: [.v6]
)

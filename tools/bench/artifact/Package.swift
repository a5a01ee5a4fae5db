// swift-tools-version: 6.2
// Benchmark of the artifact format (docs/STYLE.md §9): not a test, not part of the default build.
// Run it with tools/bench/artifact/run, which builds it release in tools/bench/artifact/.build.
import Foundation
import PackageDescription

/// The root package's identity is the name of the folder it was cloned into, so it is computed.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../..").standardizedFileURL

let package = Package(
    name: "ArtifactBench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../../.."),
    ],
    targets: [
        .executableTarget(
            name: "artifact-bench",
            dependencies: [.product(name: "IndexFormat", package: root.lastPathComponent)],
            // The same x86-64-v3 flags the package builds IndexFormat with, so the baselines
            // (plain sums, memcpy) get the same vector instructions as the code they are compared to.
            swiftSettings: [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mf16c", "-Xcc", "-mfma"])]),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version: 6.2
// The embedding benchmark: its own package, so it stays out of the default build and test run.
// Build and run it through ../run, which also runs the Python baselines.
import PackageDescription

let package = Package(
    name: "EmbedBench",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "PolicyQA", path: "../../../..")],
    targets: [
        .executableTarget(
            name: "embed-bench",
            dependencies: [.product(name: "Embeddings", package: "PolicyQA")],
            swiftSettings: [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mf16c", "-Xcc", "-mfma"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version: 6.2
// The policy question-answering service: a compiler that turns policies/ into one artifact,
// a daemon that maps it and answers, and a verifier. Layout and dependency rules:
// docs/ARCHITECTURE.md.
import PackageDescription

/// Every target: strict memory safety, and its warning is an error, so `unsafe` marks
/// exactly the few files allowed to touch raw memory (docs/STYLE.md §4).
let strict: [SwiftSetting] = [
    .strictMemorySafety(),
    .treatWarning("StrictMemorySafety", as: .error),
]

/// Numeric code (checksums, Float16 scans, kernels) is built for x86-64-v3: with baseline
/// x86-64 the Float16 conversion is a library call and scans run about 10x slower
/// (docs/ARCHITECTURE.md, "Facts measured"). Hosts without AVX2/F16C/FMA cannot run it.
/// It is optimised in debug builds too: unoptimised SIMD code is about 100x slower, which would
/// make `swift test` (golden embeddings, 100,000-chunk round trips) take minutes.
let numeric: [SwiftSetting] = strict + [
    .unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mf16c", "-Xcc", "-mfma", "-O"]),
]

let package = Package(
    name: "PolicyQA",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "IndexFormat", targets: ["IndexFormat"]),
        .library(name: "Embeddings", targets: ["Embeddings"]),
        .library(name: "Retrieval", targets: ["Retrieval"]),
        .executable(name: "policyc", targets: ["policyc"]),
        .executable(name: "policy-verify", targets: ["policy-verify"]),
        .library(name: "Answering", targets: ["Answering"]),
        .library(name: "QueryServer", targets: ["QueryServer"]),
        .executable(name: "policyd", targets: ["policyd"]),
    ],
    dependencies: [
        // Command-line parsing for the three executables (the only third-party package so far).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The daemon's HTTP server (SwiftNIO underneath). Its default traits pull in full Foundation
        // (and ICU, about 11 MB resident) and swift-configuration; the daemon needs neither.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // Prometheus text exposition for /metrics (brings swift-metrics' CoreMetrics with it).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // NIOThreadPool: embeddings and scans run there, off the threads that serve connections;
        // NIOHTTP1 for its parser's errors (a client that hangs up mid-body). Hummingbird is built on it.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Structured logs; the same logger Hummingbird takes.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Signals (SIGTERM for graceful shutdown, SIGHUP for reload) and the service group the
        // server runs in; Hummingbird depends on it already.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // System-library shims: a module map and a header each, nothing else.
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // glibc's malloc tuning (mallopt, malloc_trim): libc itself, nothing to link.
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CCmark", pkgConfig: "libcmark-gfm", providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),

        // Digests shared by the artifact, the model fingerprint and the compiler's cache keys.
        .target(name: "Checksums", dependencies: ["CCrypto"], swiftSettings: numeric),

        // The artifact: layout, writer, memory-mapped reader, section checksums, LZ4 block codec.
        .target(name: "IndexFormat", dependencies: ["CLZ4", "Checksums"], swiftSettings: numeric),

        // Native sentence embeddings: safetensors reader, WordPiece tokenizer, BERT encoder
        // (docs/decisions/0002-openblas-for-matrix-products.md).
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // AVX-512 kernels in C, each behind a run-time CPU check (docs/decisions/0003-bfloat16-question-kernel.md).
        // Optimised in debug builds too, like `numeric`; the file's own target attributes choose the instructions.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "Embeddings", dependencies: ["Checksums", "COpenBLAS", "CKernels"], swiftSettings: numeric),

        // Search over the mapped artifact: dense top-k, BM25 over the lexicon, fusion; the search
        // tokenizer and stemmer (the compiler indexes with them, the daemon normalises queries).
        // Embeddings for the question's token signatures (late-interaction re-ranking).
        .target(name: "Retrieval", dependencies: ["IndexFormat", "Embeddings"], swiftSettings: numeric),

        // Gold-question evaluation of every search mode (policyc eval) and the CI gate on it.
        .target(name: "Evaluation", dependencies: ["IndexFormat", "Embeddings", "Retrieval"], swiftSettings: strict),

        // Build time only: loading, chunking, the embedding cache, writing the artifact. policyd never links it.
        .target(name: "IndexCompiler", dependencies: ["IndexFormat", "Embeddings", "Retrieval", "Checksums", "CCmark", "CSQLite"], swiftSettings: strict),

        .executableTarget(
            name: "policyc",
            dependencies: ["IndexCompiler", "Embeddings", "Retrieval", "Evaluation", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        // IndexCompiler only for --against, which rebuilds the sources in memory and compares.
        .executableTarget(
            name: "policy-verify",
            dependencies: ["IndexFormat", "IndexCompiler", "Embeddings", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        // libcurl opened with dlopen only when a language model is set, not linked: unused, it and the
        // libraries it pulls in cost policyd about 4.4 MB resident (Sources/CCurl/include/CCurl.h).
        // Needs libcurl4-openssl-dev's headers to build and libcurl4 to run.
        .target(name: "CCurl"),

        // Cited answers: prompts, the OpenAI-compatible client over libcurl (on a small thread pool of
        // its own), SSE parsing, citation checking, extractive answers. Knows nothing of HTTP serving.
        .target(
            name: "Answering",
            dependencies: ["CCurl", "Retrieval", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict),

        .target(name: "TestSupport", dependencies: ["IndexFormat"], path: "Tests/TestSupport", swiftSettings: numeric),
        // The daemon's core: routes, limits, memory guard, lazy model, reload, metrics.
        // Never IndexCompiler (the nm check in QueryServerTests enforces it).
        .target(
            name: "QueryServer",
            dependencies: [
                "IndexFormat", "Retrieval", "Embeddings", "Answering", "CMalloc",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // The chat page, compiled into the binary as bytes (no Bundle, no files beside it).
            resources: [.embedInCode("Resources/chat.html")],
            swiftSettings: strict),
        .executableTarget(
            name: "policyd",
            dependencies: ["QueryServer", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        .testTarget(name: "ChecksumsTests", dependencies: ["Checksums"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "IndexFormatTests", dependencies: ["IndexFormat", "TestSupport"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "EmbeddingsTests", dependencies: ["Embeddings"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "IndexCompilerTests", dependencies: ["IndexCompiler", "IndexFormat", "Embeddings", "TestSupport"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "RetrievalTests", dependencies: ["Retrieval", "IndexFormat", "Embeddings", "TestSupport"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "QueryServerTests",
            dependencies: ["QueryServer", "IndexFormat", "Embeddings", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: strict),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Retrieval", "IndexFormat", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "AnsweringTests", dependencies: ["Answering", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "PolicyVerifyTests", dependencies: ["IndexFormat", "TestSupport"], exclude: ["Snapshots"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)

import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import QueryServer

/// The committed artifact, the real model, and servers built on them.
enum DaemonFixtures {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }   // Tests/QueryServerTests/DaemonFixtures.swift
        return url.path
    }()

    static let artifactPath = packageRoot + "/artifacts/policies.pidx"

    /// `POLICYQA_MODEL_DIR`, else `<package root>/models/all-MiniLM-L6-v2`.
    static var modelFolder: String {
        if let path = ProcessInfo.processInfo.environment["POLICYQA_MODEL_DIR"], !path.isEmpty { return path }
        return packageRoot + "/models/all-MiniLM-L6-v2"
    }

    /// Fails (never skips) when the model is missing, saying how to get it.
    static func requireModel(sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard FileManager.default.fileExists(atPath: modelFolder + "/model.safetensors") else {
            Issue.record("the model is not at \(modelFolder); run tools/fetch-model, or set POLICYQA_MODEL_DIR", sourceLocation: sourceLocation)
            throw ModelMissing()
        }
    }
    struct ModelMissing: Error {}

    static func configuration(artifact: String = artifactPath, model: String? = nil,
                              _ adjust: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration(artifactPath: artifact, modelFolder: model ?? modelFolder)
        configuration.port = 0
        configuration.watchIntervalSeconds = 0   // tests that replace the file reload when they choose
        adjust(&configuration)
        return configuration
    }

    static var logger: Logger {
        var logger = Logger(label: "policyd-test")
        logger.logLevel = .critical
        return logger
    }

    static func daemon(_ configuration: ServerConfiguration = configuration()) throws -> PolicyDaemon {
        try PolicyDaemon(configuration: configuration, logger: logger)
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        guard let dictionary = object as? [String: Any] else { throw NotAnObject() }
        return dictionary
    }
    struct NotAnObject: Error {}

    /// The `error.code` of an error body.
    static func errorCode(_ response: TestResponse) -> String? {
        ((try? json(response))?["error"] as? [String: Any])?["code"] as? String
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}

extension Data {
    init(buffer: ByteBuffer) {
        var buffer = buffer
        self.init(buffer.readBytes(length: buffer.readableBytes) ?? [])
    }
}

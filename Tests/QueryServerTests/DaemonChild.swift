import Foundation
import Synchronization
import TestSupport

/// A running `policyd` child process whose standard error is collected as it arrives.
final class DaemonChild: Sendable {
    private let process: Process
    private let log = LogBuffer()

    /// `environment` adds to (or overrides) this process's environment.
    init(arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = ProcessRunner.productsFolder.appendingPathComponent("policyd")
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        self.process = process
        let handle = errors.fileHandleForReading
        try process.run()
        // The reader holds the buffer, not self, so releasing the DaemonChild terminates the child.
        let log = self.log
        Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                log.append(String(decoding: data, as: UTF8.self))
            }
        }.start()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    var standardError: String { log.text }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Polls the log (every 10 ms, up to `seconds`) until it contains `text`.
    func waitForLog(_ text: String, seconds: Double = 10) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if standardError.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// The port from the "ready" log line.
    func waitForPort() async -> Int? {
        guard await waitForLog(" ready", seconds: 30) else { return nil }   // generous: CI machines are shared
        let line = standardError.split(separator: "\n").first { $0.hasSuffix(" ready") } ?? ""
        guard let range = line.range(of: "port=") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    func waitForExit(seconds: Double = 15) async -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return process.isRunning ? nil : process.terminationStatus
    }
}

/// Text appended by one thread and read by others.
final class LogBuffer: Sendable {
    private let storage = Mutex("")
    func append(_ text: String) { storage.withLock { $0 += text } }
    var text: String { storage.withLock { $0 } }
}

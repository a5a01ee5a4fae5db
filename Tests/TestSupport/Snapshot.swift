import Foundation
import Testing

/// Compares human-facing text with a file under the test's `Snapshots/` folder. A missing file, or
/// `RECORD_SNAPSHOTS=1`, writes the file and fails, so a re-record is never silent.
public func expectSnapshot(_ text: String, named name: String, testFile: String = #filePath,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    let folder = URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let url = folder.appendingPathComponent(name + ".txt")
    let recording = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
    if !recording, let stored = try? String(contentsOf: url, encoding: .utf8) {
        #expect(text == stored, "snapshot \(name) differs; if the change is intended, re-record with RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
        return
    }
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try? text.write(to: url, atomically: true, encoding: .utf8)
    Issue.record("recorded snapshot \(name) at \(url.path); review it and run the tests again", sourceLocation: sourceLocation)
}

/// The package's root folder, from a test file's path (Tests/<Target>/<File>.swift).
public func packageRoot(testFile: String = #filePath) -> URL {
    URL(fileURLWithPath: testFile).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

import Foundation
import Testing

/// The folder of PyTorch parity fixtures: `$PARITY_DIR`, or `../shared/parity` beside the
/// package root (where CI and the developers' machines have it).
public func parityDirectory() -> URL {
    if let override = ProcessInfo.processInfo.environment["PARITY_DIR"], !override.isEmpty {
        return URL(fileURLWithPath: override)
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/parity")
}

/// Every `*.safetensors` file of the parity folder, sorted; records an issue when the
/// folder is missing so that a run without fixtures can never pass silently.
public func parityFixtureFiles(sourceLocation: SourceLocation = #_sourceLocation) -> [URL] {
    let directory = parityDirectory()
    let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
    let fixtures = files.filter { $0.pathExtension == "safetensors" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    if fixtures.isEmpty {
        Issue.record("no parity fixtures in \(directory.path); set PARITY_DIR", sourceLocation: sourceLocation)
    }
    return fixtures
}

/// A fresh temporary folder for a test's files.
public func temporaryDirectory(_ label: String = "test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("fer-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

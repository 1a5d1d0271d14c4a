import Foundation

/// How a program run by a test ended, and what it printed.
public struct ProgramResult: Sendable {
    public let status: Int32
    public let output: String
    public let errors: String
    public init(status: Int32, output: String, errors: String) { self.status = status; self.output = output; self.errors = errors }
}

/// The package's executables (`fer`, `fuzz-readers`, `blas-check`), run by the command-line
/// tests as a user runs them. `swift build --build-tests` builds them next to the test bundle.
public enum BuiltProgram {
    /// The executable product `name` next to this test bundle, or in .build/debug.
    public static func url(named name: String) -> URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name),
            root.appendingPathComponent(".build/debug/\(name)"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The environment of a child: this process's, with the OpenBLAS core left as it is
    /// (`FER_BLAS_CORE=keep`) and `changes` applied (nil removes a variable).
    public static func environment(_ changes: [String: String?] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["FER_BLAS_CORE"] = "keep"
        for (name, value) in changes { environment[name] = value }
        return environment
    }

    /// Runs `url` to the end, or until `timeout` seconds have passed, when it is terminated and
    /// the result's status is -1. Standard output and error go to temporary files, so a long
    /// report on one stream can never fill a pipe while the other is being read.
    public static func run(_ url: URL, _ arguments: [String], environment changes: [String: String?] = [:],
                           timeout: TimeInterval? = nil) throws -> ProgramResult {
        let folder = FileManager.default.temporaryDirectory
        let outFile = folder.appendingPathComponent("program-out-\(UUID().uuidString)")
        let errFile = folder.appendingPathComponent("program-err-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: outFile), err = try FileHandle(forWritingTo: errFile)
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = environment(changes)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var timedOut = false
        if let timeout {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            timedOut = process.isRunning
            if timedOut { process.terminate() }
        }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        return ProgramResult(status: timedOut ? -1 : process.terminationStatus,
                             output: String(decoding: try Data(contentsOf: outFile), as: UTF8.self),
                             errors: (timedOut ? "timed out after \(timeout ?? 0) s\n" : "") + String(decoding: try Data(contentsOf: errFile), as: UTF8.self))
    }
}

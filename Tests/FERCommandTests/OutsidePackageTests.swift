import Foundation
import Testing
import TestSupport

/// Examples/OutsidePackage, a package that depends on this one by path as a user's would:
/// the README shows its files verbatim, and it must build (without swift-argument-parser)
/// and train.
@Suite("The outside package of the README")
struct OutsidePackageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let example = root.appendingPathComponent("Examples/OutsidePackage")

    @Test("The README's usage snippets are Examples/OutsidePackage's files, verbatim")
    func readmeMatchesTheExample() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Using the library").dropFirst().first)
            .components(separatedBy: "\n## ").first ?? ""
        let blocks = Self.swiftBlocks(in: section)
        let files = try ["Package.swift", "Sources/TinyCNN/main.swift"].map {
            try String(contentsOf: Self.example.appendingPathComponent($0), encoding: .utf8)
        }
        #expect(blocks == files, "copy Examples/OutsidePackage's Package.swift and main.swift into the README's \"Using the library\"")
        #expect(files[1].split(separator: "\n", omittingEmptySubsequences: false).dropLast().count <= 35,
                "the program's budget is 35 lines")
    }

    // This compiles the library modules a second time, as a user's build does (into
    // .build/outside-package, so later runs are incremental): about 30 s on 2 cores the first
    // time, a few seconds after that. The program itself trains in under a second.
    @Test("Examples/OutsidePackage builds without swift-argument-parser and trains to a sane accuracy")
    func outsidePackageBuildsAndTrains() throws {
        let scratch = Self.root.appendingPathComponent(".build/outside-package")
        let swift = try #require(Self.executableInPath("swift"), "swift is not on PATH")
        let build = try BuiltProgram.run(swift, ["build", "--package-path", Self.example.path, "--scratch-path", scratch.path],
                                         timeout: 1_200)
        try #require(build.status == 0, "swift build failed: \(build.output.suffix(4_000))\(build.errors.suffix(4_000))")
        let log = build.output + build.errors
        #expect(!log.contains("warning:"), "\(log.suffix(4_000))")
        // Users of the library products never fetch, check out or build argument-parser.
        #expect(!log.contains("swift-argument-parser"), "\(log.prefix(2_000))")
        let checkouts = (try? FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("checkouts").path)) ?? []
        #expect(checkouts.isEmpty, "the outside package checked out \(checkouts)")

        let run = try BuiltProgram.run(scratch.appendingPathComponent("debug/TinyCNN"), [], timeout: 120)
        try #require(run.status == 0, "TinyCNN failed: \(run.errors)")
        let accuracy = try #require(run.output.components(separatedBy: "test accuracy ").last.flatMap {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }, "no accuracy in: \(run.output)")
        #expect(accuracy >= 0.75 && accuracy <= 1, "four classes: chance is 0.25; got \(accuracy)")
    }

    /// The text of each ```swift block of a Markdown text, lines ending in newlines.
    static func swiftBlocks(in markdown: String) -> [String] {
        var blocks: [String] = []
        var current: String?
        for line in markdown.components(separatedBy: "\n") {
            if current == nil, line == "```swift" {
                current = ""
            } else if current != nil, line == "```" {
                blocks.append(current!)
                current = nil
            } else if current != nil {
                current! += line + "\n"
            }
        }
        return blocks
    }

    static func executableInPath(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

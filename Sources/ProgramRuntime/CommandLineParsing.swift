import ArgumentParser
import Foundation

extension ParsableCommand {
    /// This process's command line, parsed and validated; for a command with subcommands,
    /// the one it names.
    ///
    /// `--help` prints the help and exits with status 0. A usage error (unknown option, bad
    /// value, a failed `validate()`) prints the message and the usage line and exits with
    /// status 2: the status these programs gave bad options before they used ArgumentParser
    /// (whose own is 64), which their scripts, tests and help texts rely on. Any other error
    /// exits as ArgumentParser's `exit(withError:)` would.
    public static func parseCommandLineOrExit(_ arguments: [String]? = nil) -> any ParsableCommand {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            guard exitCode(for: error) == .validationFailure else { Self.exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
        if declares(type(of: command)) { return command }
        // ArgumentParser answers `--help` with a command of its own, whose run prints the help.
        var builtIn = command
        do { try builtIn.run() } catch { Self.exit(withError: error) }
        Foundation.exit(0)
    }

    /// ``parseCommandLineOrExit(_:)`` for a command without subcommands.
    public static func parsedCommandLine(_ arguments: [String]? = nil) -> Self {
        guard let command = parseCommandLineOrExit(arguments) as? Self else {
            preconditionFailure("\(Self.self) has subcommands; use parseCommandLineOrExit")
        }
        return command
    }

    /// Whether `type` is this command or one of its subcommands, at any depth.
    static func declares(_ type: any ParsableCommand.Type) -> Bool {
        ObjectIdentifier(type) == ObjectIdentifier(Self.self) || configuration.subcommands.contains { $0.declares(type) }
    }
}

/// The integers of a comma-separated list such as `256,512`, for an option that takes one
/// (`transform: { try integerList($0, in: 1...16384, option: "--sizes") }`).
/// - Throws: `ValidationError` naming `option` for an empty list, or an element that is not an
///   integer in `range`.
public func integerList(_ text: String, in range: ClosedRange<Int>, option: String) throws -> [Int] {
    let numbers = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !numbers.isEmpty, numbers.allSatisfy({ $0.map(range.contains) ?? false }) else {
        throw ValidationError("\(option) expects comma-separated integers in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
    }
    return numbers.map { $0! }
}

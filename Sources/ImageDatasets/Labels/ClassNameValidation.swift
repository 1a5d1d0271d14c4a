import Foundation

/// Checks a list of class names given by a caller: at least one, none empty, no two alike
/// (ignoring case, since folders and labels are matched in any case).
enum ClassNameValidation {
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` naming the problem.
    static func validate(_ names: [String], operation: String) throws {
        guard !names.isEmpty else {
            throw DatasetError.invalidArgument(operation: operation, message: "expected at least one class name, got none")
        }
        if let blank = names.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw DatasetError.invalidArgument(operation: operation, message: "class name \(blank) is empty")
        }
        var seen = Set<String>()
        for name in names where !seen.insert(name.lowercased()).inserted {
            throw DatasetError.invalidArgument(operation: operation, message: "class name \"\(name)\" appears twice (names are compared ignoring case)")
        }
    }
}

import Foundation

/// The header row of a CSV file: finds columns by name, in any case.
struct CSVHeader {
    let path: String
    let names: [String]

    init(_ fields: [String], path: String) {
        self.path = path
        names = fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The index of column `name`, or nil.
    func index(of name: String) -> Int? {
        names.firstIndex { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The index of column `name`.
    /// - Throws: ``DatasetError/malformedRow(path:line:expected:found:)`` naming line 1.
    func requiredIndex(of name: String, format: String) throws -> Int {
        guard let index = index(of: name) else {
            throw DatasetError.malformedRow(
                path: path, line: 1, expected: "a \(format) header with a column \"\(name)\"", found: "\"\(names.joined(separator: ","))\"")
        }
        return index
    }
}

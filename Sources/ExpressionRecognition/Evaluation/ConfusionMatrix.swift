/// Counts of (true class, predicted class) pairs, with the figures the paper reports:
/// accuracy and mean per-class accuracy (Fig. 6-7, Tables III-V).
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    public let classCount: Int
    /// counts[truth][prediction]
    public private(set) var counts: [[Int]]

    public init(classCount: Int) {
        self.classCount = classCount
        counts = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
    }

    /// Adds one prediction. Labels outside 0..<classCount are a programming error of the caller.
    public mutating func add(truth: Int, prediction: Int) {
        counts[truth][prediction] += 1
    }

    public var total: Int { counts.joined().reduce(0, +) }
    public var correct: Int { (0..<classCount).reduce(0) { $0 + counts[$1][$1] } }

    /// Share of all samples predicted correctly.
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Recall of each class (nil for a class with no samples).
    public var perClassAccuracy: [Double?] {
        counts.enumerated().map { index, row in
            let n = row.reduce(0, +)
            return n == 0 ? nil : Double(row[index]) / Double(n)
        }
    }

    /// Mean of the per-class accuracies over the classes that have samples.
    public var meanPerClassAccuracy: Double {
        let present = perClassAccuracy.compactMap { $0 }
        return present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
    }

    /// A fixed-width text table, rows = truth, columns = prediction.
    public func formatted(classNames: [String]) -> String {
        let names = (0..<classCount).map { $0 < classNames.count ? String(classNames[$0].prefix(10)) : "\($0)" }
        let width = max(6, (names.map(\.count).max() ?? 0) + 1)
        func pad(_ s: String) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        var lines = [pad("truth\\pred") + names.map(pad).joined()]
        for (index, row) in counts.enumerated() {
            lines.append(pad(names[index]) + row.map { pad("\($0)") }.joined())
        }
        return lines.joined(separator: "\n")
    }
}

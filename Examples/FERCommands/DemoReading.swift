import ExpressionRecognition
import Foundation

/// What the demo's table says, in sentences computed from its numbers: whether each mask's
/// score finds the flipped labels, and whether each method's accuracy differs from the
/// baseline's by more than one run can show.
enum DemoReading {
    /// AUROC at or above this: the score finds the flipped labels (issue 10's bar for a rule).
    static let findsFlips = 0.75
    /// AUROC within this of 0.5: the score is no better than chance.
    static let chanceMargin = 0.05

    /// One method's row: its name, last-epoch AUROC (nil for no mask) and test accuracy.
    struct Method {
        var name: String
        var auroc: Double?
        var accuracy: Double
    }

    /// The sentences, baseline first in `methods`; `testCount` images in the test set.
    static func lines(_ methods: [Method], testCount: Int) -> [String] {
        guard let baseline = methods.first, testCount > 0 else { return [] }
        var lines: [String] = []
        for method in methods.dropFirst() {
            if let auroc = method.auroc {
                let value = String(format: "%.3f", auroc)
                if auroc >= findsFlips {
                    lines.append("\(method.name): its score finds the flipped labels (AUROC \(value); 0.5 is chance).")
                } else if abs(auroc - 0.5) <= chanceMargin {
                    lines.append("\(method.name): its score does not tell flipped from clean labels (AUROC \(value), chance).")
                } else {
                    lines.append("\(method.name): its score tells flipped from clean labels only weakly (AUROC \(value)).")
                }
            }
            lines.append(accuracyLine(method, baseline: baseline, testCount: testCount))
        }
        return lines
    }

    /// The accuracy against the baseline's. Two accuracies on the same n test images differ by
    /// chance with a standard error of at most sqrt(2 p (1 - p) / n) (independent errors; shared
    /// errors make it smaller), so a difference under two of those is not told from noise here.
    /// Seeds spread more than one test set does (Docs/Reproduction.md: about 1 point at 40%
    /// symmetric noise), so even a larger difference wants more seeds before it is believed.
    static func accuracyLine(_ method: Method, baseline: Method, testCount: Int) -> String {
        let p = (method.accuracy + baseline.accuracy) / 2
        let twoErrors = 2 * (2 * p * (1 - p) / Double(testCount)).squareRoot()
        let difference = method.accuracy - baseline.accuracy
        let points = String(format: "%+.2f", 100 * difference), margin = String(format: "%.2f", 100 * twoErrors)
        if abs(difference) < twoErrors {
            return "\(method.name): \(points) points against the baseline, within what one run on \(testCount) test images shows by chance (+-\(margin))."
        }
        let direction = difference > 0 ? "above" : "below"
        return "\(method.name): \(points) points against the baseline, \(direction) it by more than one test set's chance (+-\(margin)); one seed, so see Docs/Reproduction.md for the spread over seeds."
    }
}

import ExpressionRecognition
import Foundation

/// One epoch of a mask on the training labels, as `fer evaluate` prints it and evaluation.json
/// keeps it: the share masked and, with injected noise, how well the mask found the flipped labels.
struct MaskEpochSummary: Encodable, Equatable {
    let epoch: Int
    let maskedShare: Double
    /// Flipped among the masked, masked among the flipped (nil without injected noise).
    let precision: Double?, recall: Double?
    /// How well the rule's score ranks flipped above clean labels over the epoch (0.5 = chance).
    let auroc: Double?
    /// The class-aware rules' mean drop rate in force.
    let dropRate: Double?
    /// Label correction: the share of the training set relabelled, and the share of those
    /// relabellings that restore the clean label (with injected noise).
    let corrected: Double?, correctedRight: Double?

    /// The epochs of `records` that ran a mask; nil when none did (a baseline).
    static func rows(of records: [ClassifierEpochRecord]) -> [MaskEpochSummary]? {
        let rows = records.compactMap { r in
            r.maskedShare.map { MaskEpochSummary(epoch: r.epoch, maskedShare: $0, precision: r.maskPrecision, recall: r.maskRecall,
                                                 auroc: r.maskScores?.auroc, dropRate: r.dropRate,
                                                 corrected: r.correctedShare, correctedRight: r.correctionPrecision) }
        }
        return rows.isEmpty ? nil : rows
    }

    /// A text table, one line per epoch, columns right-aligned ("-" where a figure does not apply).
    /// The class-aware rules' drop rate gets a column when the run has one, and label
    /// correction two (the share corrected, and the share of corrections that are right).
    static func table(_ rows: [MaskEpochSummary]) -> String {
        let showsDropRate = rows.contains { $0.dropRate != nil }, showsCorrection = rows.contains { $0.corrected != nil }
        let titles = ["epoch", "masked"] + (showsDropRate ? ["drop rate"] : []) + ["precision", "recall", "AUROC"]
            + (showsCorrection ? ["corrected", "right"] : [])
        func aligned(_ cells: [String]) -> String {
            zip(cells, titles).map { String(repeating: " ", count: max(0, $1.count - $0.count)) + $0 }.joined(separator: "  ")
        }
        func cell(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
        let dropRateNote = (showsDropRate ? " drop rate: the class-aware rule's rate in force;" : "")
            + (showsCorrection ? " corrected: the share relabelled, right: the share of those given their clean label;" : "")
        var lines = ["the mask on the training labels, per epoch (from metrics.jsonl;\(dropRateNote) precision, recall and AUROC against the labels flipped on purpose, AUROC 0.5 = chance):",
                     aligned(titles)]
        for r in rows {
            let dropRate = showsDropRate ? [cell(r.dropRate.map { 100 * $0 }, "%.1f%%")] : []
            lines.append(aligned([String(r.epoch), cell(100 * r.maskedShare, "%.1f%%")] + dropRate
                                 + [cell(r.precision, "%.3f"), cell(r.recall, "%.3f"), cell(r.auroc, "%.3f")]
                                 + (showsCorrection ? [cell(r.corrected.map { 100 * $0 }, "%.1f%%"), cell(r.correctedRight, "%.3f")] : [])))
        }
        return lines.joined(separator: "\n")
    }
}

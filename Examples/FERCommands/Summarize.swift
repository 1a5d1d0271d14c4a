import ArgumentParser
import ExpressionRecognition
import Foundation

struct Summarize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mean and standard deviation of finished train runs, grouped by everything but the seed (a Markdown table).",
        discussion: "Every folder under the given roots that holds config.json and metrics.jsonl of a finished train run counts once; unfinished runs and unreadable configurations are named on stderr. Each method is also compared with the baseline run of the same noise, setting and seed.")

    @Argument(help: "Folders to search for run folders.") var roots: [String]

    func validate() throws { if roots.isEmpty { throw ValidationError("give at least one folder") } }

    struct Entry {
        var accuracy: [Double] = [], meanClass: [Double] = [], precision: [Double] = [], recall: [Double] = [], masked: [Double] = []
        var auroc: [Double] = [], meanAUROC: [Double] = [], seeds: [UInt64] = []
    }

    func run() throws {
        var groups: [String: Entry] = [:]
        var order: [String] = []
        // Folders left out of the table, said on stderr so that a partial table is not taken for a whole one.
        var unfinished: [String] = [], unreadable: [String] = []
        defer {
            for (title, folders) in [("unfinished", unfinished), ("with an unreadable configuration", unreadable)] where !folders.isEmpty {
                FileHandle.standardError.write(Data("not counted, \(folders.count) train run(s) \(title):\n\(folders.map { "  " + $0 }.joined(separator: "\n"))\n".utf8))
            }
        }
        // Every finished run first; the setting column is named once all are known (below).
        var runs: [(noise: String, method: String, items: [SettingItem], autoencoder: [SettingItem]?, seed: UInt64, last: ClassifierEpochRecord,
                    meanAUROC: Double?)] = []
        for root in roots {
            guard let walker = FileManager.default.enumerator(at: URL(fileURLWithPath: root), includingPropertiesForKeys: nil) else {
                throw ValidationError("cannot read \(root)")
            }
            for case let url as URL in walker where url.lastPathComponent == "metrics.jsonl" {
                let runURL = url.deletingLastPathComponent()
                guard let folder = try? RunFolder.open(existing: runURL) else { continue }
                let settings: ClassifierSettings
                do {
                    settings = try folder.readConfiguration(ClassifierSettings.self)
                } catch {
                    // An autoencoder run is not a classifier's and is not counted; anything else is reported.
                    if (try? folder.readConfiguration(AutoencoderSettings.self)) == nil { unreadable.append("\(runURL.path): \(error)") }
                    continue
                }
                let records = try folder.readMetrics(ClassifierEpochRecord.self)
                guard let last = records.last, last.epoch == settings.epochs else {
                    unfinished.append("\(runURL.path) (\(records.last?.epoch ?? 0) of \(settings.epochs) epochs)")
                    continue
                }
                let data = (try? RunData.load(from: folder))
                var method: String
                switch settings.mask {
                case nil where settings.classAwareMask != nil:
                    let rule = settings.classAwareMask!
                    let rate: String
                    switch rule.rate {
                    case .estimated: rate = "estimated rate"
                    case .fixed(let r): rate = "rate \(r)"
                    }
                    let selection: String
                    switch rule.selection {
                    case .threshold: selection = ", threshold from the last epoch"
                    case .history: selection = ", ranked by history"
                    case .rank: selection = rule.rankingWindow > 0 ? ", window \(rule.rankingWindow)" : ""
                    }
                    method = "\(rule.score.rawValue), per class, \(rate)\(selection)\(rule.warmupEpochs == 1 ? "" : ", warm-up \(rule.warmupEpochs)")\(rule.action == .drop ? "" : ", \(rule.action.rawValue)")\(rule.action == .correct && rule.correctionConfidence != 0.5 ? " at \(rule.correctionConfidence)" : "")"
                case nil: method = "baseline"
                case .fixed(let t)?: method = "Ours(T), T = \(t)"
                case .batchMean?: method = "Ours(BT)"
                case let rule?: method = "\(rule)"
                }
                if data?.dropFlippedLabels == true { method = "perfect mask (the flipped labels left out)" + (method == "baseline" ? "" : ", then \(method)") }
                // What only the rules on semantic neighbours use belongs to the method, so that
                // such a run still pairs with the baseline of its setting.
                if settings.needsNeighbors {
                    method += " (sigma \(settings.neighborSigma)\(settings.divergenceInTrainingMode ? ", S in training mode" : ""))"
                }
                // %g: 12.5% and 12% stay apart (%.0f printed both as 12%). Clean labels are
                // clean whatever noise mode the run names.
                let noise = data.map { $0.labelNoise == 0 ? "no" : String(format: "%g%% %@", 100 * $0.labelNoise, $0.noiseMode) } ?? "?"
                let aurocs = records.compactMap { $0.maskScores?.auroc }
                let meanAUROC = aurocs.isEmpty ? nil : aurocs.reduce(0, +) / Double(aurocs.count)
                runs.append(("\(noise) noise", method, Self.settingItems(settings, data: data),
                             settings.needsNeighbors ? Self.autoencoderItems(of: folder) : nil, settings.seed, last, meanAUROC))
            }
        }
        let settingLabels = Self.settingLabels(runs.map { ($0.noise, $0.items) })
        let autoencoderLabels = Self.autoencoderLabels(runs.map(\.autoencoder))
        for (run, (setting, autoencoder)) in zip(runs, zip(settingLabels, autoencoderLabels)) {
            let label = "\(run.noise) | \(run.method)\(autoencoder.map { " (autoencoder: \($0))" } ?? "") | \(setting)"
            if groups[label] == nil { order.append(label) }
            var entry = groups[label] ?? Entry()
            let last = run.last
            entry.accuracy.append(last.testAccuracy)
            entry.meanClass.append(last.testMeanClassAccuracy)
            if let p = last.maskPrecision { entry.precision.append(p) }
            if let r = last.maskRecall { entry.recall.append(r) }
            if let m = last.maskedShare { entry.masked.append(m) }
            if let a = last.maskScores?.auroc { entry.auroc.append(a) }
            if let m = run.meanAUROC { entry.meanAUROC.append(m) }
            entry.seeds.append(run.seed)
            groups[label] = entry
        }
        guard !groups.isEmpty else { throw ValidationError("no finished train runs under \(roots.joined(separator: ", "))") }
        func stat(_ values: [Double], scale: Double = 100, digits: Int = 2) -> String {
            guard let (mean, sd) = Self.meanAndDeviation(values) else { return "-" }
            return String(format: "%.\(digits)f ± %.\(digits)f", scale * mean, scale * sd)
        }
        print("Mean ± sample standard deviation over the seeds; masked share, precision, recall and AUROC of the last epoch, and the AUROC averaged over the epochs.")
        print("Against the baseline: each run's test accuracy minus that of the baseline run with the same noise, setting and seed (the same noisy labels and initial weights), mean ± sd over the pairs, in points; a seed with several baseline runs is paired with their mean.")
        print("")
        print("| noise | method | setting | seeds | test accuracy % | against the baseline, paired by seed | mean class acc. % | masked % | mask precision % | mask recall % | AUROC | AUROC, mean of epochs |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for label in order.sorted() {
            let e = groups[label]!
            let parts = label.components(separatedBy: " | ")
            var paired = "-"
            if parts[1] != "baseline", let baseline = groups["\(parts[0]) | baseline | \(parts[2])"] {
                paired = Self.pairedDifference(Array(zip(e.seeds, e.accuracy)), baseline: Array(zip(baseline.seeds, baseline.accuracy)))
            }
            print("| \(parts[0]) | \(parts[1]) | \(parts[2]) | \(e.seeds.sorted().map(String.init).joined(separator: ",")) | \(stat(e.accuracy)) | \(paired) | \(stat(e.meanClass)) | \(stat(e.masked)) | \(stat(e.precision)) | \(stat(e.recall)) | \(stat(e.auroc, scale: 1, digits: 3)) | \(stat(e.meanAUROC, scale: 1, digits: 3)) |")
        }
    }

    /// One training or data setting of a run, as the setting column names it ("weight decay 0.002").
    struct SettingItem: Equatable {
        var name: String, value: String
        var text: String { "\(name) \(value)" }
    }

    /// Everything a run's result depends on besides its seed, its noise and its method: runs
    /// that differ in any of these are never averaged together or paired.
    static func settingItems(_ s: ClassifierSettings, data: RunData?) -> [SettingItem] {
        var items: [(String, String)] = [
            ("side", "\(s.side)"), ("width", "\(s.width)"), ("epochs", "\(s.epochs)"),
            ("data", data?.data ?? "?"), ("training images", data?.trainLimit.map(String.init) ?? "all"),
            ("test images", data?.testLimit.map(String.init) ?? "all"), ("fold", data.map { "\($0.fold + 1) of \($0.folds)" } ?? "?"),
            ("batch", "\(s.batchSize) \(s.sampling.rawValue)"), ("learning rate", "\(s.learningRate)"),
            ("decay", "x\(s.learningRateDecay) every \(s.learningRateDecayEvery) epochs"), ("momentum", "\(s.momentum)"),
            ("weight decay", "\(s.weightDecay)"), ("dropout", "\(s.dropoutRate)"),
            ("loss", s.loss == .focal ? "focal, gamma \(s.focalGamma)" : s.loss.rawValue), ("weighted loss", s.weightedLoss ? "on" : "off"),
            ("label smoothing", "\(s.labelSmoothing ?? 0)"),
            ("augmentation", s.augment ? "on" : "off"), ("precision", s.precision?.rawValue ?? "float32"),
        ]
        if let probe = data?.probe { items.append(("probe", "\(probe.epochs) epoch(s), width \(probe.width)")) }
        return items.map { SettingItem(name: $0.0, value: $0.1) }
    }

    /// What a neighbour rule's result depends on in its autoencoder (`autoencoder-path.txt`):
    /// the stage and epochs it was trained for, its data, and its settings but the seed (each
    /// seed has its own autoencoder). An autoencoder that cannot be read is one item saying so.
    static func autoencoderItems(of run: RunFolder) -> [SettingItem] {
        let pointer = run.url.appendingPathComponent("autoencoder-path.txt")
        guard let path = try? String(contentsOf: pointer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else {
            return [SettingItem(name: "unknown", value: "(no autoencoder-path.txt)")]
        }
        guard let folder = try? RunFolder.open(existing: URL(fileURLWithPath: path)),
              let configuration = try? folder.readConfiguration(AutoencoderSettings.self),
              let last = (try? folder.readMetrics(AutoencoderEpochRecord.self))?.last,
              let encoded = try? JSONEncoder().encode(configuration),
              let fields = (try? JSONSerialization.jsonObject(with: encoded)) as? [String: Any] else {
            // The folder's own name, not its path, so that the seeds' runs still group together.
            FileHandle.standardError.write(Data("note: \(run.url.path): its autoencoder \(path) cannot be read\n".utf8))
            return [SettingItem(name: "unreadable", value: URL(fileURLWithPath: path).lastPathComponent)]
        }
        var items = [SettingItem(name: last.stage == AutoencoderRun<AnyImageDataset>.Stage.refine.rawValue ? "refined" : "pretrained",
                                 value: "\(last.epoch) epochs")]
        if let data = try? RunData.load(from: folder) {
            items.append(SettingItem(name: "data", value: data.data))
            items.append(SettingItem(name: "training images", value: data.trainLimit.map(String.init) ?? "all"))
        }
        for key in fields.keys.sorted() where key != "seed" {
            let value = fields[key]!
            let text = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
                .flatMap { String(data: $0, encoding: .utf8) } ?? "\(value)"
            items.append(SettingItem(name: key, value: text))
        }
        return items
    }

    /// For each run of a neighbour rule, the autoencoder items whose values differ among all
    /// such runs (nil for other runs, and for all when their autoencoders agree), so that rules
    /// run with other autoencoders get rows of their own and still pair with the baseline.
    static func autoencoderLabels(_ runs: [[SettingItem]?]) -> [String?] {
        let varying = varyingNames(runs.compactMap { $0 })
        return runs.map { items in
            guard let items else { return nil }
            // An autoencoder that could not be read is said even when it is the only one.
            let shown = items.filter { varying.contains($0.name) || ["unknown", "unreadable"].contains($0.name) }.map(\.text)
            return shown.isEmpty ? nil : shown.joined(separator: ", ")
        }
    }

    /// The names of the items whose values differ between the runs (an item a run lacks counts
    /// as a value of its own).
    static func varyingNames(_ runs: [[SettingItem]]) -> Set<String> {
        Set(runs.flatMap { $0.map(\.name) }).filter { name in Set(runs.map { $0.first { $0.name == name }?.value ?? "-" }).count > 1 }
    }

    /// The setting column of each run: side, width and epochs, then every other item whose
    /// value differs between runs of the same noise, so that runs the table keeps apart never
    /// read alike, and a table of one setting stays short.
    static func settingLabels(_ runs: [(noise: String, items: [SettingItem])]) -> [String] {
        let shown: Set<String> = ["side", "width", "epochs"]
        let varying = Dictionary(grouping: runs, by: \.noise).mapValues { group in varyingNames(group.map(\.items)) }
        return runs.map { run in
            let item = { (name: String) in run.items.first { $0.name == name }?.value ?? "-" }
            var parts = ["side \(item("side"))", "width \(item("width"))", "\(item("epochs")) epochs"]
            parts += run.items.filter { !shown.contains($0.name) && varying[run.noise]?.contains($0.name) == true }.map(\.text)
            return parts.joined(separator: ", ")
        }
    }

    /// The runs' accuracy minus the baseline's of the same seed, in points: "+2.55 ± 0.40 (3
    /// pairs)", "-0.52 (1 pair)", or "-" when no seed has a baseline run. Pairing removes what
    /// the seed does to both runs (which labels flip, the initial weights). A seed with several
    /// baseline runs (the same run repeated in several folders) is paired with their mean.
    static func pairedDifference(_ runs: [(seed: UInt64, accuracy: Double)], baseline: [(seed: UInt64, accuracy: Double)]) -> String {
        let baselineBySeed = Dictionary(grouping: baseline, by: \.seed).mapValues { runs in runs.map(\.accuracy).reduce(0, +) / Double(runs.count) }
        let differences = runs.compactMap { run in baselineBySeed[run.seed].map { 100 * (run.accuracy - $0) } }
        guard let (mean, sd) = meanAndDeviation(differences) else { return "-" }
        if differences.count == 1 { return String(format: "%+.2f (1 pair)", mean) }
        return String(format: "%+.2f ± %.2f (%d pairs)", mean, sd, differences.count)
    }

    /// Mean and sample standard deviation (0 for one value); nil for none.
    static func meanAndDeviation(_ values: [Double]) -> (mean: Double, deviation: Double)? {
        guard !values.isEmpty else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        return (mean, (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot())
    }
}

import Testing
@testable import FERCommands

/// `fer summarize`'s column against the baseline: each run minus the baseline run of its seed.
@Suite("fer summarize pairs runs with the baseline by seed")
struct SummarizePairingTests {
    @Test func differencesOfTheSameSeeds() {
        let baseline: [(seed: UInt64, accuracy: Double)] = [(0, 0.8640), (1, 0.8440), (2, 0.8558)]
        // Seeds 0 and 2 have a baseline; seed 7 has none and is left out.
        let runs: [(seed: UInt64, accuracy: Double)] = [(0, 0.8762), (2, 0.8782), (7, 0.99)]
        // Differences 1.22 and 2.24 points: mean 1.73, sd (2.24 - 1.22) / sqrt(2) = 0.721.
        #expect(Summarize.pairedDifference(runs, baseline: baseline) == "+1.73 ± 0.72 (2 pairs)")
        #expect(Summarize.pairedDifference([(1, 0.8390)], baseline: baseline) == "-0.50 (1 pair)")
        #expect(Summarize.pairedDifference([(7, 0.99)], baseline: baseline) == "-")
        #expect(Summarize.pairedDifference([], baseline: baseline) == "-")
        // Two baseline runs of seed 1 (two data sets in one group): paired with their mean, 84.00%.
        #expect(Summarize.pairedDifference([(1, 0.8500)], baseline: baseline + [(1, 0.8360)]) == "+1.00 (1 pair)")
    }
}

/// What mpi-equivalence writes: enough to compare a distributed run with a single-process one.
struct EquivalenceReport: Codable {
    var processCount: Int
    /// Every parameter and buffer after the last step, by name (Float widened exactly to Double).
    var state: [String: [Double]]
    /// The global batch's mean loss at each step (under MPI, the average of the ranks' local means).
    var losses: [Double]
    /// The mask's threshold and kept count of the global batch at each step (with --mask).
    var thresholds: [Double]
    var keptCounts: [Int]
    /// Under MPI: whether the ranks' parameters and buffers differed before the broadcast
    /// and were identical after it, and whether their parameters were identical after the
    /// last step.
    var ranksDifferedBeforeBroadcast: Bool
    var ranksAgreeAfterBroadcast: Bool
    var parametersAgreeAtEnd: Bool
}

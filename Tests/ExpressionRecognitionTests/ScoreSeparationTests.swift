import Testing
import Tensors
@testable import ExpressionRecognition

@Suite("AUROC and score histograms")
struct ScoreSeparationTests {
    /// P(flipped > clean) + P(tie) / 2 over every pair: the definition.
    func bruteForce(_ scores: [Double], _ flipped: [Bool]) -> Double {
        var wins = 0.0, pairs = 0.0
        for i in scores.indices where flipped[i] {
            for j in scores.indices where !flipped[j] {
                pairs += 1
                wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0
            }
        }
        return wins / pairs
    }

    @Test("Rank-sum AUROC equals the pairwise definition, ties included")
    func matchesDefinition() throws {
        var g = SeededGenerator(seed: 2)
        for _ in 0..<20 {
            let n = 40
            let flipped = (0..<n).map { _ in g.nextUnitDouble() < 0.4 }
            guard flipped.contains(true), flipped.contains(false) else { continue }
            // Rounded to a few levels so that ties are common.
            let scores = flipped.map { f in (g.nextUnitDouble() * 4 + (f ? 1 : 0)).rounded() }
            let separation = try #require(ScoreSeparation(scores: scores, isFlipped: flipped))
            #expect(abs(separation.auroc - bruteForce(scores, flipped)) < 1e-12)
            #expect(separation.clean.reduce(0, +) == flipped.filter { !$0 }.count)
            #expect(separation.flipped.reduce(0, +) == flipped.filter { $0 }.count)
            #expect(separation.edges.count == 31)
        }
    }

    @Test("Perfect, reversed and undefined separations")
    func edgeCases() throws {
        #expect(try #require(ScoreSeparation(scores: [1, 2, 3, 4], isFlipped: [false, false, true, true])).auroc == 1)
        #expect(try #require(ScoreSeparation(scores: [1, 2, 3, 4], isFlipped: [true, true, false, false])).auroc == 0)
        #expect(try #require(ScoreSeparation(scores: [2, 2, 2], isFlipped: [true, false, false])).auroc == 0.5)
        #expect(ScoreSeparation(scores: [1, 2], isFlipped: [false, false]) == nil)
        #expect(ScoreSeparation(scores: [1, 2], isFlipped: [true]) == nil)
        #expect(ScoreSeparation(scores: [1, .nan], isFlipped: [true, false]) == nil)
    }
}

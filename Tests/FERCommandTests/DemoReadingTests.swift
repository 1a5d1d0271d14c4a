import Testing
@testable import FERCommands

/// The sentences under the demo's table follow its numbers.
@Suite("fer demo: the reading under the table")
struct DemoReadingTests {
    typealias Method = DemoReading.Method

    @Test func aurocIsReadAgainstChanceAndTheBar() {
        let lines = DemoReading.lines([
            Method(name: "baseline", auroc: nil, accuracy: 0.80),
            Method(name: "masked (BT)", auroc: 0.491, accuracy: 0.79),
            Method(name: "small-loss", auroc: 0.960, accuracy: 0.80),
            Method(name: "other", auroc: 0.62, accuracy: 0.80),
        ], testCount: 2000)
        #expect(lines.contains { $0.hasPrefix("masked (BT): its score does not tell") && $0.contains("0.491") })
        #expect(lines.contains { $0.hasPrefix("small-loss: its score finds the flipped labels") && $0.contains("0.960") })
        #expect(lines.contains { $0.hasPrefix("other: its score tells flipped from clean labels only weakly") })
        // The baseline has no sentence of its own; each other method has two.
        #expect(lines.count == 6)
    }

    /// 2000 test images near 80%: two standard errors of a difference are 2.53 points.
    @Test func accuracyDifferencesAreWeighedAgainstOneTestSet() {
        let baseline = Method(name: "baseline", auroc: nil, accuracy: 0.7965)
        let close = DemoReading.accuracyLine(Method(name: "a", auroc: nil, accuracy: 0.7900), baseline: baseline, testCount: 2000)
        #expect(close.contains("-0.65 points") && close.contains("within what one run"))
        #expect(close.contains("+-2.5"))
        let far = DemoReading.accuracyLine(Method(name: "b", auroc: nil, accuracy: 0.7645), baseline: baseline, testCount: 2000)
        #expect(far.contains("-3.20 points") && far.contains("below it by more than"))
        let above = DemoReading.accuracyLine(Method(name: "c", auroc: nil, accuracy: 0.83), baseline: baseline, testCount: 2000)
        #expect(above.contains("above it"))
    }

    @Test func nothingToSayWithoutMethodsOrTestImages() {
        #expect(DemoReading.lines([], testCount: 100).isEmpty)
        #expect(DemoReading.lines([Method(name: "baseline", auroc: nil, accuracy: 0.5)], testCount: 0).isEmpty)
    }
}

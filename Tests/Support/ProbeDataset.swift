import Foundation
import ImageDatasets
import Synchronization

/// A dataset whose pixel values are index / count, that can be slow, fail on chosen
/// indices, and counts its reads.
public struct ProbeDataset: ImageDataset {
    public final class Reads: Sendable {
        public let count = Mutex(0)
    }

    public let count: Int
    public let side: Int
    public var delay: Duration
    public var failing: Set<Int>
    public let reads = Reads()
    public var classNames: [String] { ["even", "odd"] }
    public var labels: [Int] { (0..<count).map { $0 % 2 } }

    public init(count: Int, side: Int, delay: Duration = .zero, failing: Set<Int> = []) {
        self.count = count
        self.side = side
        self.delay = delay
        self.failing = failing
    }

    public func image(at index: Int) throws -> LabeledImage {
        reads.count.withLock { $0 += 1 }
        if delay > .zero { Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) * 1e-18 + Double(delay.components.seconds)) }
        if failing.contains(index) { throw DatasetError.corruptImage(path: "probe-\(index).png", reason: "made to fail") }
        return LabeledImage(pixels: Array(repeating: Float(index) / Float(count), count: side * side), side: side, label: index % 2)
    }
}

/// A seeded generator shared by reference, so that every dropout layer of a model draws
/// from one stream whose state a checkpoint can save and restore.
public final class RandomStream {
    public var generator: SeededGenerator
    public init(seed: UInt64) { generator = SeededGenerator(seed: seed) }
    public init(generator: SeededGenerator) { self.generator = generator }
}

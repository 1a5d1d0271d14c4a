import Synchronization

/// Another dataset with a bounded cache of decoded samples in front of it, safe to read
/// from several threads at once.
///
/// The cache keeps at most ``capacity`` samples and evicts the least recently used, so
/// memory stays bounded however large the dataset (280,000 AffectNet images at 112x112
/// would need 14 GB as floats; a cache of 20,000 needs 1 GB).
public struct CachedDataset<Base: ImageDataset>: ImageDataset {
    /// The dataset behind the cache.
    public let base: Base
    private let cache: SampleCache

    /// - Parameters:
    ///   - base: the dataset whose decoded samples are cached.
    ///   - capacity: the most samples kept in memory.
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a capacity below 1.
    public init(_ base: Base, capacity: Int) throws {
        guard capacity > 0 else {
            throw DatasetError.invalidArgument(operation: "CachedDataset", message: "capacity must be at least 1 sample, got \(capacity)")
        }
        self.base = base
        cache = SampleCache(capacity: capacity)
    }

    /// A cache sized to hold at most `megabytes` of Float pixels.
    public init(_ base: Base, megabytes: Int) throws {
        let bytesPerSample = max(base.side * base.side * MemoryLayout<Float>.size, 1)
        try self.init(base, capacity: max(megabytes * 1_048_576 / bytesPerSample, 1))
    }

    public var count: Int { base.count }
    public var classNames: [String] { base.classNames }
    public var side: Int { base.side }
    public var labels: [Int] { base.labels }
    public var badSamplePolicy: BadSamplePolicy { base.badSamplePolicy }
    /// The most samples kept.
    public var capacity: Int { cache.capacity }
    /// How many reads the cache answered and how many went to the base dataset.
    public var hitsAndMisses: (hits: Int, misses: Int) { cache.hitsAndMisses }

    public func image(at index: Int) throws -> LabeledImage {
        if let cached = cache.lookup(index) { return cached }
        // Decode outside the lock: two threads may decode the same sample once each, which
        // costs less than making every reader wait for one decode.
        let sample = try base.image(at: index)
        cache.store(sample, for: index)
        return sample
    }
}

extension CachedDataset: AnnotatedImageDataset where Base: AnnotatedImageDataset {
    public var annotations: [SampleAnnotation] { base.annotations }
}

extension ImageDataset {
    /// This dataset behind a cache of at most `capacity` decoded samples.
    public func cached(capacity: Int) throws -> CachedDataset<Self> {
        try CachedDataset(self, capacity: capacity)
    }
}

/// The lock-protected cache state shared by copies of one ``CachedDataset``.
final class SampleCache: Sendable {
    let capacity: Int
    private let state: Mutex<State>

    private struct State {
        var entries: LeastRecentlyUsedCache<LabeledImage>
        var hits = 0
        var misses = 0
    }

    init(capacity: Int) {
        self.capacity = capacity
        state = Mutex(State(entries: LeastRecentlyUsedCache(capacity: capacity)))
    }

    func lookup(_ index: Int) -> LabeledImage? {
        state.withLock { state in
            if let sample = state.entries.value(for: index) {
                state.hits += 1
                return sample
            }
            state.misses += 1
            return nil
        }
    }

    func store(_ sample: LabeledImage, for index: Int) {
        state.withLock { $0.entries.insert(sample, for: index) }
    }

    var hitsAndMisses: (hits: Int, misses: Int) {
        state.withLock { ($0.hits, $0.misses) }
    }
}

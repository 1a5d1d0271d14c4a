import Distributed
import Testing

@Suite("Global batch shards")
struct GlobalBatchShardTests {
    @Test("the ranks' slices are disjoint, contiguous and cover the global batch", arguments: [1, 2, 3, 7])
    func slicesCoverTheBatch(processes: Int) throws {
        let batch = Array(100 ..< 100 + 21 * processes)
        var seen: [Int] = []
        for rank in 0..<processes {
            let shard = try GlobalBatchShard(rank: rank, processCount: processes)
            let slice = try shard.slice(batch)
            #expect(slice.count == 21)
            #expect(try shard.range(inGlobalBatchOf: batch.count) == rank * 21 ..< (rank + 1) * 21)
            seen += slice
        }
        #expect(seen == batch)
    }

    @Test("a class-balanced global batch is balanced over the ranks together")
    func balanceIsGlobal() throws {
        // 7 classes x 9 samples, shuffled as ClassBalancedBatchSampler does; 3 ranks of 21.
        var generator = SystemRandomNumberGenerator()
        let labels = (0..<7).flatMap { Array(repeating: $0, count: 9) }.shuffled(using: &generator)
        var counts = [Int](repeating: 0, count: 7)
        for rank in 0..<3 {
            for label in try GlobalBatchShard(rank: rank, processCount: 3).slice(labels) { counts[label] += 1 }
        }
        #expect(counts == Array(repeating: 9, count: 7))
    }

    @Test("bad ranks and uneven batches are errors")
    func badInput() throws {
        #expect(throws: MPIError.self) { try GlobalBatchShard(rank: 2, processCount: 2) }
        #expect(throws: MPIError.self) { try GlobalBatchShard(rank: -1, processCount: 2) }
        #expect(throws: MPIError.self) { try GlobalBatchShard(rank: 0, processCount: 0) }
        let shard = try GlobalBatchShard(rank: 0, processCount: 4)
        #expect(throws: MPIError.invalidArgument(operation: "GlobalBatchShard",
                                                 message: "a global batch of 63 does not split evenly over 4 processes; use a multiple of 4")) {
            try shard.range(inGlobalBatchOf: 63)
        }
        #expect(throws: MPIError.self) { try shard.slice([Int]()) }
    }
}

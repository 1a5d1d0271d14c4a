import BenchmarkSupport
import Distributed
import ExpressionRecognition
import Foundation
import NeuralNetworks
import Tensors
import ProgramRuntime

// Data-parallel figures for Docs/Distributed.md; run it under mpirun (or alone, as 1 process).
//
//     distributed-bench allreduce [REPS=20] [BUCKET_MB=1]
//     distributed-bench train [SIDE=48] [GLOBAL_BATCH=28] [WIDTH=0.5] [STEPS=6]
//
// What each measures: Options.swift (also `distributed-bench --help`).

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("distributed-bench: \(message)\n".utf8))
    exit(2)
}

// Every rank parses the same line, before MPI starts, so a usage error stops them all alike.
let command = DistributedBench.parseCommandLineOrExit()

if MPIRuntime.isLaunchedByMPI { _ = AllocatorPolicy.apply() } else { OpenBLASCoreGuard.ensureOptimizedCore() }

let runtime: MPIRuntime
do { runtime = try MPIRuntime() } catch { fail("\(error)") }
let world = runtime.world

@MainActor func report(_ fields: [String: Any]) {
    guard world.rank == 0 else { return }
    var all = fields
    all["processes"] = world.size
    all["threadsPerProcess"] = Parallel.threadCount
    all["blasCore"] = BLAS.coreName
    let data = try! JSONSerialization.data(withJSONObject: all, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

/// Seconds of `body`, started and ended together on every rank (a barrier on each side).
@MainActor func timed(_ body: () throws -> Void) throws -> Double {
    try world.barrier()
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    try world.barrier()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

world.abortingOnError {
    switch command {
    case let allReduce as DistributedBench.AllReduce:
        let reps = allReduce.reps, bucketMB = allReduce.bucketMegabytes
        let model = try MultiScaleClassifier<Float>(side: 112, width: 1, classCount: 7, dropoutRate: 0.5, seed: 1)
        for (_, parameter) in model.namedParameters { parameter.grad = Tensor(repeating: Float(world.rank + 1), shape: parameter.shape) }
        let averager = try GradientAverager<Float>(communicator: world, bucketBytes: Int(bucketMB * 1_048_576))
        try averager.averageGradients(of: model)
        var times: [Double] = []
        for _ in 0..<reps { times.append(try timed { try averager.averageGradients(of: model) }) }
        // One MPI_Allreduce of the whole gradient as a single buffer, for the bucketing's cost.
        var flat = [Float](repeating: 1, count: model.parameterCount)
        try world.allReduce(&flat, .sum)
        var single: [Double] = []
        for _ in 0..<reps { single.append(try timed { try world.allReduce(&flat, .sum) }) }
        let bytes = Double(model.parameterCount * 4)
        report(["mode": "allreduce", "parameters": model.parameterCount, "megabytes": bytes / 1e6, "reps": reps, "bucketMB": bucketMB,
                "medianSeconds": median(times), "minSeconds": times.min() ?? 0, "singleBufferMedianSeconds": median(single),
                // A ring all-reduce moves 2 (P - 1) / P of the buffer through each process's link.
                "busGigabytesPerSecond": 2 * Double(world.size - 1) / Double(world.size) * bytes / median(times) / 1e9])
    case let train as DistributedBench.Train:
        let (side, globalBatch, width, steps) = (train.side, train.globalBatch, train.width, train.steps)
        let shard = try GlobalBatchShard(communicator: world)
        let local = try shard.localBatchSize(globalBatchSize: globalBatch)
        // Dropout differs per rank (seed + rank); the weights are rank 0's, broadcast.
        let model = try MultiScaleClassifier<Float>(side: side, width: width, classCount: 7, dropoutRate: 0.5, seed: 1 + UInt64(world.rank))
        try world.broadcastState(of: model)
        let optimizer = try SGD(parameters: model.namedParameters, learningRate: 0.01, momentum: 0.9, weightDecay: 0.002)
        let averager = try GradientAverager<Float>(communicator: world)
        var generator = SeededGenerator(seed: 99 + UInt64(world.rank))
        let images = Tensor<Float>(randomNormal: [local, 1, side, side], using: &generator)
        let labels = (0..<local).map { $0 % 7 }
        var stepTimes: [Double] = [], reduceTimes: [Double] = []
        model.isTraining = true
        for _ in 0..<steps {
            var reduce = 0.0
            stepTimes.append(try timed {
                optimizer.zeroGradients()
                let logits = try model.logits(Variable(images))
                var loss = try CrossEntropyLoss()(logits.ori, labels: labels)
                for head in [logits.half, logits.fused] { loss = try loss + CrossEntropyLoss()(head, labels: labels) }
                try loss.backward()
                let start = DispatchTime.now().uptimeNanoseconds
                try averager.averageGradients(of: model)
                reduce = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                try optimizer.step()
            })
            reduceTimes.append(reduce)
        }
        let measured = Array(stepTimes.dropFirst()), reduces = Array(reduceTimes.dropFirst())
        let mean = measured.reduce(0, +) / Double(measured.count)
        report(["mode": "train", "side": side, "width": width, "globalBatch": globalBatch, "localBatch": local, "parameters": model.parameterCount,
                "timedSteps": measured.count, "meanStepSeconds": mean, "meanAllreduceSeconds": reduces.reduce(0, +) / Double(reduces.count),
                "globalSamplesPerSecond": Double(globalBatch) / mean])
    default:
        fail("name a measurement: allreduce or train (see --help)")
    }
    try runtime.finalize()
}

import Distributed
import ExpressionRecognition
import Foundation
import NeuralNetworks
import Tensors
import ProgramRuntime

// Data-parallel figures for Docs/Distributed.md; run it under mpirun (or alone, as 1 process).
//
//     distributed-bench allreduce [REPS=20] [BUCKET_MB=1]
//         averages a gradient the size of the Table II classifier's (side 112, width 1,
//         7 classes; counted from the model) REPS times after one warm-up
//     distributed-bench train [SIDE=48] [GLOBAL_BATCH=28] [WIDTH=0.5] [STEPS=6]
//         trains the Table II classifier (baseline loss: the three heads' cross-entropy) on
//         random images, the global batch split over the ranks; the first step is a warm-up
//
// Rank 0 prints one JSON line. Under mpirun the OpenBLAS core is not switched by re-executing
// (pass -x OPENBLAS_CORETYPE=... instead); FER_THREADS sets each process's worker threads.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("distributed-bench: \(message)\nusage: distributed-bench allreduce [REPS] [BUCKET_MB] | train [SIDE] [GLOBAL_BATCH] [WIDTH] [STEPS]\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
func argument<T>(_ index: Int, _ fallback: T, _ parse: (String) -> T?) -> T {
    guard index + 1 < arguments.count else { return fallback }
    guard let value = parse(arguments[index + 1]) else { fail("cannot read argument \(index + 2): \(arguments[index + 1])") }
    return value
}

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
    switch arguments.first {
    case "allreduce":
        let reps = argument(0, 20) { Int($0) }, bucketMB = argument(1, 1.0) { Double($0) }
        guard reps >= 1, bucketMB > 0 else { fail("need REPS >= 1 and BUCKET_MB > 0") }
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
        times.sort(); single.sort()
        let bytes = Double(model.parameterCount * 4)
        report(["mode": "allreduce", "parameters": model.parameterCount, "megabytes": bytes / 1e6, "reps": reps, "bucketMB": bucketMB,
                "medianSeconds": times[reps / 2], "minSeconds": times[0], "singleBufferMedianSeconds": single[reps / 2],
                // A ring all-reduce moves 2 (P - 1) / P of the buffer through each process's link.
                "busGigabytesPerSecond": 2 * Double(world.size - 1) / Double(world.size) * bytes / times[reps / 2] / 1e9])
    case "train":
        let side = argument(0, 48) { Int($0) }, globalBatch = argument(1, 28) { Int($0) }
        let width = argument(2, 0.5) { Double($0) }, steps = argument(3, 6) { Int($0) }
        guard side >= 32, width > 0, steps >= 2 else { fail("need SIDE >= 32, WIDTH > 0, STEPS >= 2") }
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
        fail("the first argument must be allreduce or train")
    }
    try runtime.finalize()
}

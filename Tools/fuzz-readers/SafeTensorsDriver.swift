import Foundation
import NeuralNetworks

/// The shape of the progress record a classifier run keeps in its checkpoints
/// (`ClassifierProgress`, internal to the library): what a resumed run decodes.
struct FuzzProgressRecord: Codable {
    var completedEpochs: Int
    var dropoutState: [UInt64]
    var neighborState: [UInt64]?
    var runningThreshold: Double?
}

/// safetensors: `SafeTensorsFile(contentsOf:)` (accepted when it returns), then, as a
/// resumed run would, every tensor as Float and Double, `Checkpoint`, a restore into a
/// layer, the JSON progress record and the generator state inside it.
final class SafeTensorsDriver: ReaderDriver {
    let name = "safetensors"
    let calls = "SafeTensorsFile(contentsOf:), tensor(_:as:) Float/Double, Checkpoint(file:), restore(Linear), record(_:key:), SeededGenerator(state:)"
    let seeds: [Seed]
    private let folder: WorkFolder
    private let layer: Linear<Float>

    init(folder: WorkFolder) throws {
        self.folder = folder
        seeds = try SeedCorpus.safetensors()
        var generator = SeededGenerator(seed: 3)
        layer = Linear<Float>(inputSize: 3, outputSize: 2, using: &generator)
    }

    func prepare() throws {}

    func run(_ bytes: [UInt8], role: String) throws {
        let url = try folder.write(bytes, to: "input.safetensors")
        let file = try SafeTensorsFile(contentsOf: url)
        for name in file.names {
            _ = file.entry(name)
            _ = try? file.tensor(name, as: Float.self)
            _ = try? file.tensor(name, as: Double.self)
        }
        _ = try? Checkpoint<Double>(file: file)
        guard let checkpoint = try? Checkpoint<Float>(file: file, convertingDType: true) else { return }
        try? checkpoint.restore(layer, prefix: "model.", strict: false)
        try? checkpoint.restore(layer, prefix: "model.")
        if let progress = try? checkpoint.record(FuzzProgressRecord.self, key: "progress") {
            _ = try? SeededGenerator(state: progress.dropoutState)
            _ = try? progress.neighborState.map { try SeededGenerator(state: $0) }
        }
        _ = try? checkpoint.record([String: Int].self, key: "settings")
    }
}

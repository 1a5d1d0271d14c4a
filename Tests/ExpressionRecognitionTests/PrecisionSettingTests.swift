import Foundation
import Testing
import TestSupport
@testable import ExpressionRecognition
import NeuralNetworks

/// The run setting of the mixed-precision option: saved in config.json (older files without
/// it read as Float), applied by the trainers whatever the caller's ``ComputePrecision``.
@Suite("Precision setting of a run")
struct PrecisionSettingTests {
    @Test func savedAndReadBack() throws {
        var settings = ClassifierSettings()
        // Float is nil and written as no key at all: config.json files from before the setting.
        let float = try JSONEncoder().encode(settings)
        #expect(!String(decoding: float, as: UTF8.self).contains("precision"))
        #expect(try JSONDecoder().decode(ClassifierSettings.self, from: float).precision == nil)
        settings.precision = .bfloat16
        let bf16 = try JSONEncoder().encode(settings)
        #expect(String(decoding: bf16, as: UTF8.self).contains("\"precision\":\"bf16\""))
        #expect(try JSONDecoder().decode(ClassifierSettings.self, from: bf16) == settings)

        var autoencoder = AutoencoderSettings()
        autoencoder.precision = .bfloat16
        #expect(try JSONDecoder().decode(AutoencoderSettings.self, from: JSONEncoder().encode(autoencoder)) == autoencoder)

        // A value that names no precision is an error, not Float.
        let bad = Data(String(decoding: bf16, as: UTF8.self).replacingOccurrences(of: "\"bf16\"", with: "\"fp16\"").utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ClassifierSettings.self, from: bad) }
    }

    @Test("A run's saved precision wins over the caller's; none saved is float32")
    func inRunPrecision() {
        for outer in ComputePrecision.allCases {
            ComputePrecision.$override.withValue(outer) {
                #expect(ComputePrecision.inRun(nil) { ComputePrecision.current } == .float32)
                #expect(ComputePrecision.inRun(.bfloat16) { ComputePrecision.current } == .bfloat16)
                #expect(ComputePrecision.inRun(.float32) { ComputePrecision.current } == .float32)
            }
        }
    }

    func steppedWeights(precision: ComputePrecision?, outer: ComputePrecision) throws -> [[Float]] {
        var s = ClassifierSettings()
        s.side = 32; s.width = 0.125; s.batchSize = 14; s.dropoutRate = 0; s.seed = 2; s.precision = precision
        let trainer = try ClassifierTrainer(settings: s, autoencoder: nil)
        var g = SeededGenerator(seed: 1)
        let images = Tensor<Float>(randomNormal: [14, 1, 32, 32], using: &g), labels = (0..<14).map { $0 % 7 }
        try ComputePrecision.$override.withValue(outer) {
            for _ in 0..<2 { _ = try trainer.step(images: images, labels: labels) }
        }
        return trainer.model.namedParameters.map(\.variable.value.scalars)
    }

    /// At side 32 and width 0.125 the 1x1 Conv5 and the 32->64 Conv4 run im2col products, so bf16
    /// changes the weights; the run's setting, not the caller's override, decides.
    @Test func theTrainerAppliesTheRunsPrecision() throws {
        let float = try steppedWeights(precision: nil, outer: .bfloat16)
        #expect(float == (try steppedWeights(precision: .float32, outer: .float32)), "nil is Float, whatever the caller's override")
        let bf16 = try steppedWeights(precision: .bfloat16, outer: .float32)
        #expect(bf16 != float, "a bf16 run's steps changed nothing")
        #expect(bf16 == (try steppedWeights(precision: .bfloat16, outer: .bfloat16)))
        // Weights stay Float and close: two steps of bf16 products move them little.
        for (a, b) in zip(bf16, float) { for (x, y) in zip(a, b) { #expect(x.isFinite && abs(x - y) <= 0.05 * max(1, abs(y))) } }
    }
}

import Testing
import NeuralNetworks
import Tensors

/// The rule: an initializer throws exactly when an argument can be out of range on its own.
@Suite("Initializers that validate")
struct InitializerRuleTests {
    @Test("Loss weights must be finite and at least 0")
    func lossWeights() throws {
        #expect(throws: TensorError.self) { try CrossEntropyLoss(classWeights: [1, -1]) }
        #expect(throws: TensorError.self) { try CrossEntropyLoss(classWeights: [.nan]) }
        #expect(throws: TensorError.self) { try FocalLoss(classWeights: [.infinity, 1]) }
        #expect(throws: TensorError.self) { try MultiScaleReconstructionLoss(levelWeights: []) }
        #expect(throws: TensorError.self) { try MultiScaleReconstructionLoss(levelWeights: [4, -1]) }
        _ = try CrossEntropyLoss(classWeights: [0, 2.5])
        _ = try MultiScaleReconstructionLoss(levelWeights: [4, 1, 1])
    }
}

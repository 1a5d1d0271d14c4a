import Testing
import NeuralNetworks
@testable import ExpressionRecognition

@Suite("Collapsed autoencoder warning")
struct CollapsedAutoencoderTests {
    func images() -> Tensor<Float> {
        var g = SeededGenerator(seed: 3)
        return Tensor<Float>(randomNormal: [8, 1, 32, 32], using: &g)
    }

    @Test("A decoder whose output ignores the code is reported; one that follows the input is not")
    func detection() throws {
        let model = try AsymmetricAutoencoder<Float>(side: 32, latentSize: 8, outputReLU: false)
        // Zero every weight of the output layer: each image decodes to the same picture (its bias).
        for (name, parameter) in model.namedParameters where name.hasPrefix("out.") && name.hasSuffix("weight") {
            parameter.value = Tensor(repeating: 0, shape: parameter.value.shape)
        }
        #expect(try AutoencoderRun<AnyImageDataset>.reconstructionIgnoresInput(model, images: images()))
        // The identity (an empty Sequential) follows its input exactly; a map that shrinks the
        // input's variation to 1% does not follow it enough.
        #expect(!(try AutoencoderRun<AnyImageDataset>.reconstructionIgnoresInput(Sequential<Float>([]), images: images())))
        var g = SeededGenerator(seed: 4)
        let shrink = Conv2D<Float>(inputChannels: 1, outputChannels: 1, kernelSize: 1, using: &g)
        shrink.weight.value = Tensor(repeating: 0.01, shape: shrink.weight.value.shape)
        #expect(try AutoencoderRun<AnyImageDataset>.reconstructionIgnoresInput(shrink, images: images()))
    }
}

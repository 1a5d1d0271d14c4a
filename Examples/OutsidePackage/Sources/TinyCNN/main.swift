import ExpressionRecognition
import Foundation
import NeuralNetworks

// Four classes of 12 x 12 noisy images: which quadrant holds the brighter square.
func squares(_ count: Int, using generator: inout SeededGenerator) throws -> InMemoryDataset {
    try InMemoryDataset(images: (0..<count).map { index in
        LabeledImage(pixels: (0..<144).map { pixel in
            let inside = pixel / 12 / 6 == index % 4 / 2 && pixel % 12 / 6 == index % 2
            return Float.random(in: inside ? 0.3...1 : 0...0.7, using: &generator)
        }, side: 12, label: index % 4)
    }, classNames: ["top left", "top right", "bottom left", "bottom right"])
}
var generator = SeededGenerator(seed: 7)
let (trainSet, testSet) = (try squares(256, using: &generator), try squares(200, using: &generator))
let model = Sequential<Float>([
    Conv2D(inputChannels: 1, outputChannels: 4, kernelSize: 3, padding: 1, using: &generator),
    BatchNorm(featureCount: 4), Activation(.relu), MaxPool2D(kernelSize: 2), Flatten(),
    Linear(inputSize: 4 * 6 * 6, outputSize: 4, using: &generator),
])
let optimizer = try SGD(parameters: model.namedParameters, learningRate: 0.05, momentum: 0.9)
let sampler = try ShuffledBatchSampler(count: trainSet.count, batchSize: 32, seed: 1)
let loader = try BatchLoader(dataset: trainSet, sampler: sampler, options: LoaderOptions())
for epoch in 0..<3 {
    let batches = loader.epoch(epoch)
    while let batch = try batches.next() {  // minimize: zero the gradients, back-propagate, update
        let loss = try optimizer.minimize { try CrossEntropyLoss()(model(Variable(batch.images)), labels: batch.labels) }
        if batch.position == 0 { print("epoch \(epoch + 1), first batch: loss \(loss)") }
    }
}
let file = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-cnn.safetensors")
try model.save(to: file)  // safetensors under PyTorch's state_dict names
try model.load(from: file)  // as a later program would, into a model of the same shape
let first = try model.evaluating { try model(Tensor(shape: [1, 1, 12, 12], scalars: testSet.image(at: 0).pixels)) }
print("first test image: class \(try first.argmax(axis: 1)[0]); test accuracy \(try accuracy(of: model, on: testSet))")

import Testing
import Foundation
import TestSupport
@testable import ExpressionRecognition
import NeuralNetworks

/// A tiny dataset of 32x32 PNG files, one folder per class: class k is a bright square in
/// corner k (by name: alpha, beta, gamma, delta; epsilon shares alpha's corner), so a model
/// learns it in a few steps.
func writeCornerDataset(in root: URL, classes: [String] = ["alpha", "beta", "gamma", "delta"], perClass: Int) throws {
    let corners = ["alpha": 0, "beta": 1, "gamma": 2, "delta": 3, "epsilon": 0]
    var generator = SeededGenerator(seed: 1)
    for name in classes {
        let k = corners[name] ?? 0
        let folder = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for i in 0..<perClass {
            var pixels = (0..<(32 * 32)).map { _ in Float(generator.nextUnitDouble() * 0.2) }
            let top = (k / 2) * 20, left = (k % 2) * 20
            for y in 0..<12 { for x in 0..<12 { pixels[(top + y) * 32 + left + x] = 0.9 } }
            try PNGEncoder.write(GrayImage(side: 32, pixels: pixels), to: folder.appendingPathComponent("\(i).png"))
        }
    }
}

/// Runs the built `fer` program (next to the test bundle) with `arguments`.
func runFer(_ arguments: [String]) throws -> ProgramResult {
    try BuiltProgram.run(try #require(BuiltProgram.url(named: "fer"), "build the fer product first (swift build --build-tests builds it)"), arguments)
}

// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "TinyCNN",
    dependencies: [
        // `name:` lets `package:` below read the same whatever the checkout's folder is called.
        .package(name: "NeighborhoodAwareFER", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "TinyCNN", dependencies: [
            .product(name: "NeuralNetworks", package: "NeighborhoodAwareFER"),
            .product(name: "ExpressionRecognition", package: "NeighborhoodAwareFER"),
        ]),
    ]
)

// swift-tools-version: 6.1
import PackageDescription

// What every executable parses its options with (no library product depends on it).
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "NeighborhoodAwareFER",
    // Only libraries are products. The executables below (fer, the benchmarks and tools) need
    // swift-argument-parser; a package that depends on this one resolves the dependencies of
    // every product here, so an executable product would make each user's build fetch
    // argument-parser (Docs/Architecture.md, "Packages that depend on this one"). In this
    // package SwiftPM still gives every executable target a product: `swift run fer` works.
    products: [
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "NeuralNetworks", targets: ["NeuralNetworks"]),
        .library(name: "ImageDatasets", targets: ["ImageDatasets"]),
        .library(name: "Pictures", targets: ["Pictures"]),
        .library(name: "ExpressionRecognition", targets: ["ExpressionRecognition"]),
        // Data-parallel training over MPI; the only product that links libmpi (Docs/Distributed.md).
        .library(name: "Distributed", targets: ["Distributed"]),
    ],
    dependencies: [
        // Options and help text of the executables (never of a library product).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `swift package generate-documentation` for the DocC catalogs (a command plugin: it
        // never becomes part of a user's build).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // OpenBLAS (CBLAS + LAPACKE) found through pkg-config; no hard-coded paths.
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // glibc's mallopt, for AllocatorPolicy (freed tensor buffers stay in the heap).
        .systemLibrary(name: "CMalloc"),
        // The x86-64 levels every C kernel below is built for (one header, no code).
        .target(name: "CVectorLevels"),
        // Direct convolution loops for few-channel layers, in C so that they can be compiled for
        // AVX-512 and AVX2 beside the baseline (Swift code stays at the baseline's SSE2).
        .target(name: "CDirectConvolution", dependencies: ["CVectorLevels"]),
        // The bf16 GEMM of the mixed-precision option (ComputePrecision): AVX512-BF16's vdpbf16ps
        // where the CPU has it, picked at run time, and a portable C kernel with the same
        // rounding elsewhere (Debian's OpenBLAS does not export cblas_sbgemm).
        .target(name: "CBFloat16GEMM", dependencies: ["CVectorLevels"]),
        // Vector loops of the layers between convolutions (the 2x2 max pool), built per x86-64
        // level like CDirectConvolution: Swift's baseline build runs them one window at a time.
        .target(name: "CLayerKernels", dependencies: ["CVectorLevels"]),
        .target(name: "Tensors", dependencies: ["COpenBLAS", "CMalloc", "CDirectConvolution", "CBFloat16GEMM", "CLayerKernels"]),
        .target(name: "NeuralNetworks", dependencies: ["Tensors"]),
        // What every executable does first: the OpenBLAS core guard (may restart the process)
        // and the allocator policy. Not needed by a program that only uses the library.
        // Also the executables' command-line parsing, with the usage-error status they share.
        .target(name: "ProgramRuntime", dependencies: ["Tensors", argumentParser]),
        // Image and archive codecs for the data pipeline; only ImageDatasets imports them.
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The generic data pipeline: codecs, readers, datasets, loader, samplers, label noise.
        .target(name: "ImageDatasets", dependencies: ["Tensors", "CPNG", "CJPEG", "CZlib"]),
        // Charts and image grids drawn into PNG files (the PNG encoder is ImageDatasets').
        .target(name: "Pictures", dependencies: ["ImageDatasets"]),
        // The paper's models, training recipes and evaluation.
        .target(name: "ExpressionRecognition", dependencies: ["NeuralNetworks", "ImageDatasets", "Pictures"]),
        // Runs a PyTorch fixture file against the library; shared by parity-check and the tests.
        .target(name: "ParityFixtures", dependencies: ["Tensors", "NeuralNetworks", "ExpressionRecognition"]),
        // The fer commands, shared by fer and fer-distributed (the program under mpirun).
        .target(
            name: "FERCommands",
            dependencies: ["ExpressionRecognition", "ProgramRuntime", argumentParser],
            path: "Examples/FERCommands"
        ),
        .executableTarget(name: "fer", dependencies: ["FERCommands"], path: "Examples/fer"),
        .executableTarget(
            name: "parity-check",
            dependencies: ["ParityFixtures", "ProgramRuntime", argumentParser],
            path: "Examples/parity-check"
        ),
        // Timing helpers (medians under the peers' rule) shared by the benchmarks.
        .target(name: "BenchmarkSupport", path: "Benchmarks/Support"),
        .executableTarget(name: "gemm-bench", dependencies: ["Tensors", "BenchmarkSupport", "ProgramRuntime", argumentParser], path: "Benchmarks/gemm-bench"),
        .executableTarget(name: "conv-bench", dependencies: ["Tensors", "BenchmarkSupport", "ProgramRuntime", argumentParser], path: "Benchmarks/conv-bench", exclude: ["torch_conv_bench.py"]),
        // One training step of each of the paper's models, beside the PyTorch peer's.
        .executableTarget(name: "train-step-bench", dependencies: ["ExpressionRecognition", "BenchmarkSupport", "ProgramRuntime", argumentParser], path: "Benchmarks/train-step-bench"),
        // A plain C program calling cblas_sgemm: the yardstick for the OpenBLAS path.
        .executableTarget(name: "cblas-reference", dependencies: ["COpenBLAS"], path: "Benchmarks/cblas-reference"),
        .executableTarget(name: "data-bench", dependencies: ["ImageDatasets", "ProgramRuntime", argumentParser], path: "Benchmarks/data-bench"),
        // Mutates valid files and runs every reader on them in-process (Docs/Reliability.md); FERCommandTests runs a short round.
        .executableTarget(name: "fuzz-readers", dependencies: ["ImageDatasets", "NeuralNetworks", "ProgramRuntime", argumentParser], path: "Tools/fuzz-readers"),
        // Checks the GEMM facade against the OpenBLAS core this process loaded (the tests run it per core).
        .executableTarget(name: "blas-check", dependencies: ["Tensors", "ProgramRuntime", argumentParser], path: "Tools/blas-check"),
        // Open MPI through pkg-config; only Distributed imports it, so nothing else links libmpi.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .target(name: "Distributed", dependencies: ["CMPI", "NeuralNetworks"]),
        // Trains a small model on one process or under mpirun; DistributedTests compares the two.
        .executableTarget(name: "mpi-equivalence", dependencies: ["Distributed", "ProgramRuntime", argumentParser], path: "Tools/mpi-equivalence"),
        // fer train and fer pretrain-autoencoder under mpirun (Docs/Distributed.md); links libmpi, fer does not.
        .executableTarget(name: "fer-distributed", dependencies: ["FERCommands", "Distributed", "ExpressionRecognition", "ProgramRuntime", argumentParser],
                          path: "Examples/fer-distributed"),
        // All-reduce time for the Table II gradient, and data-parallel throughput (Docs/Distributed.md).
        .executableTarget(name: "distributed-bench", dependencies: ["BenchmarkSupport", "Distributed", "ExpressionRecognition", "ProgramRuntime", argumentParser], path: "Benchmarks/distributed-bench"),
        .target(name: "TestSupport", dependencies: ["Tensors", "ImageDatasets"], path: "Tests/Support"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport", "CMalloc", "ProgramRuntime"]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "ExpressionRecognition", "ParityFixtures", "TestSupport"]),
        .testTarget(name: "ImageDatasetsTests", dependencies: ["ImageDatasets", "TestSupport"]),
        .testTarget(name: "ExpressionRecognitionTests", dependencies: ["ExpressionRecognition", "TestSupport"]),
        // Runs mpi-equivalence under mpirun (skipped, with the reason, where mpirun is missing).
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "TestSupport"]),
        // Runs the built programs as a user would (they must be built first: Scripts/test.sh
        // does), and builds Examples/OutsidePackage as a user's package.
        .testTarget(name: "FERCommandTests", dependencies: ["ExpressionRecognition", "NeuralNetworks", "TestSupport", "FERCommands"]),
    ],
    swiftLanguageModes: [.v6]
)

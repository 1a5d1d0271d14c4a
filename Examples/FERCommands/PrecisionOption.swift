import ArgumentParser
import NeuralNetworks

extension ComputePrecision: ExpressibleByArgument {}

/// `--precision`: the arithmetic of the convolutions' matrix products in a new run
/// (``ComputePrecision``), recorded in the run's config.json so that --resume keeps it.
struct PrecisionOption: ParsableArguments {
    @Option(help: ArgumentHelp("The convolutions' matrix products: float32, or bf16 (inputs rounded to bfloat16, sums in Float; AVX512-BF16 where the CPU has it). Weights, gradients and updates stay Float. Default: FER_PRECISION, else float32.", valueName: "precision"))
    var precision: ComputePrecision?

    /// The setting a new run records: the option, else `FER_PRECISION`, else float32, which is
    /// recorded as nil (what a config.json without the key has always meant).
    func setting() throws -> ComputePrecision? {
        let chosen: ComputePrecision
        do { chosen = try precision ?? ComputePrecision.environmentValue() ?? .float32 } catch { throw ValidationError("\(error)") }
        return chosen == .float32 ? nil : chosen
    }
}

/// ", convolution products in bf16 (AVX512-BF16)" for a run's first log line; empty for Float.
func precisionNote(_ precision: ComputePrecision?) -> String {
    guard precision == .bfloat16 else { return "" }
    return ", convolution products in bf16 (\(BFloat16GEMM.hasVectorKernel ? "AVX512-BF16" : "portable kernel, no AVX512-BF16 on this CPU"))"
}

import Foundation
import Testing
import Tensors
import TestSupport

/// The GEMM facade's contract under every OpenBLAS core this CPU can run. OpenBLAS picks its
/// kernels once per process, so each core gets a child process (`blas-check`) with
/// `OPENBLAS_CORETYPE` set: a kernel that differs (Cooperlake and SkylakeX multiply by
/// alpha = 0 and let NaN through) shows up on whatever machine CI runs.
@Suite("OpenBLAS cores")
struct BLASCoreTests {
    /// Runs blas-check with `core` forced (nil: OpenBLAS's own choice); returns status and output.
    func check(core: String?) throws -> (status: Int32, output: String) {
        let url = try #require(BuiltProgram.url(named: "blas-check"), "build the blas-check product first (swift build --build-tests builds it)")
        let result = try BuiltProgram.run(url, ["--json"], environment: ["OPENBLAS_CORETYPE": core])
        return (result.status, result.output)
    }

    #if arch(x86_64)
    @Test("this CPU supports at least the baseline core")
    func supportedCoresAreFound() {
        #expect(BLAS.supportedCores().contains("Prescott"), "features read: \(BLAS.cpuFeatures.sorted())")
    }
    #endif

    @Test("the facade holds its contract under every core this CPU supports", arguments: [nil] + BLAS.supportedCores())
    func facadeUnderCore(_ core: String?) throws {
        let (status, output) = try check(core: core)
        #expect(status == 0, "\(core ?? "OpenBLAS's own choice"): \(output)")
        if let core {
            // An unknown name makes OpenBLAS fall back silently: the child must report the core asked for.
            #expect(output.lowercased().contains("\"core\":\"\(core.lowercased())\""), "asked for \(core), got \(output)")
        }
        #expect(output.contains("\"failureCount\":0"), "\(output)")
    }

    @Test("the table of cores follows the CPU flags")
    func coresFollowFlags() {
        #expect(BLAS.supportedCores(features: ["pni", "ssse3"]) == ["Prescott", "Core2"])
        let skylake: Set<String> = ["pni", "ssse3", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        #expect(BLAS.supportedCores(features: skylake) == ["Prescott", "Core2", "Nehalem", "Sandybridge", "Haswell", "Zen", "SkylakeX"])
        #expect(BLAS.supportedCores(features: skylake.union(["avx512_bf16"])).last == "Cooperlake")
    }
}

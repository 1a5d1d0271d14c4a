import Foundation
import Testing
import Tensors

/// The GEMM facade's contract under every OpenBLAS core this CPU can run. OpenBLAS picks its
/// kernels once per process, so each core gets a child process (`blas-check`) with
/// `OPENBLAS_CORETYPE` set: a kernel that differs (Cooperlake and SkylakeX multiply by
/// alpha = 0 and let NaN through) shows up on whatever machine CI runs.
@Suite("OpenBLAS cores")
struct BLASCoreTests {
    static var executable: URL? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("blas-check"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/blas-check"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs blas-check with `core` forced (nil: OpenBLAS's own choice); returns status and output.
    func check(core: String?) throws -> (status: Int32, output: String) {
        let url = try #require(Self.executable, "build the blas-check product first (swift build --build-tests builds it)")
        let process = Process()
        process.executableURL = url
        process.arguments = ["--json"]
        var environment = ProcessInfo.processInfo.environment
        if let core { environment["OPENBLAS_CORETYPE"] = core } else { environment.removeValue(forKey: "OPENBLAS_CORETYPE") }
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("this CPU supports at least the baseline core")
    func supportedCoresAreFound() {
        #expect(BLAS.supportedCores().contains("Prescott"), "features read: \(BLAS.cpuFeatures.sorted())")
    }

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

import Testing
@testable import ProgramRuntime
@testable import Tensors

@Suite("OpenBLAS facade and core guard")
struct BLASTests {
    @Test func reportsACoreAndThreads() {
        #expect(!BLAS.coreName.isEmpty && BLAS.coreName != "unknown")
        #expect(BLAS.threadCount >= 1)
        #expect(BLAS.summary.contains(BLAS.coreName))
    }

    @Test func recommendsTheWidestKernelsTheCPUHas() {
        #expect(BLAS.recommendedCore(features: ["avx2", "fma", "avx512f", "avx512bw", "avx512vl"]) == "SkylakeX")
        #expect(BLAS.recommendedCore(features: ["avx2", "fma"]) == "Haswell")
        #expect(BLAS.recommendedCore(features: []) == nil)
    }

    @Test func ranksCoresByTheirSIMDWidth() {
        #expect(OpenBLASCoreGuard.rank(of: "Prescott") == 0)
        #expect(OpenBLASCoreGuard.rank(of: "Haswell") == 2)
        #expect(OpenBLASCoreGuard.rank(of: "SkylakeX") == 3 && OpenBLASCoreGuard.rank(of: "Cooperlake") == 3)
        #expect(OpenBLASCoreGuard.rank(of: "SkylakeX") > OpenBLASCoreGuard.rank(of: "Haswell"))
    }

    @Test func theLoadedKernelsPassTheGuardsCheck() {
        #expect(OpenBLASCoreGuard.gemmMatchesReference())
    }

    @Test func threadCountCanBeSet() {
        let before = BLAS.threadCount
        BLAS.threadCount = 1
        #expect(BLAS.threadCount == 1)
        BLAS.threadCount = before
    }
}

import Foundation
import Testing
import TestSupport

/// Only the Distributed module links libmpi: the single-process `fer` must start on a machine
/// without Open MPI. `ldd` lists the shared libraries a program needs.
@Suite("MPI stays out of the single-process programs")
struct LibraryIsolationTests {
    static let ldd = ["/usr/bin/ldd", "/bin/ldd"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func neededLibraries(_ program: String) throws -> String {
        let url = try #require(BuiltProgram.url(named: program), "build \(program) first (swift build --build-tests builds it)")
        let result = try BuiltProgram.run(URL(fileURLWithPath: try #require(Self.ldd)), [url.path])
        try #require(result.status == 0, "ldd \(program): \(result.errors)")
        return result.output
    }

    @Test("fer does not link libmpi; mpi-equivalence and fer-distributed do", .enabled(if: ldd != nil, "ldd is not installed"))
    func onlyDistributedLinksMPI() throws {
        #expect(!(try neededLibraries("fer")).contains("libmpi"))
        // The check above means something only if ldd shows libmpi where it is linked.
        #expect(try neededLibraries("mpi-equivalence").contains("libmpi"))
        // fer-distributed shares fer's command code (FERCommands), which must stay free of MPI.
        #expect(try neededLibraries("fer-distributed").contains("libmpi"))
    }
}

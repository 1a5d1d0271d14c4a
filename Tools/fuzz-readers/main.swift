import Foundation
import ImageDatasets
import ProgramRuntime
import Tensors

// First thing, as in every executable: report (and if need be fix) the OpenBLAS core. The
// readers never multiply matrices, but the line keeps the programs alike; a restart here
// happens before any input is tried.
OpenBLASCoreGuard.ensureOptimizedCore()

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("fuzz-readers: \(message)\n".utf8))
    exit(status)
}

let options = Options.parsedCommandLine()

// The drivers' companion files live in a temporary folder, removed at the end.
let workRoot = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-readers-\(getpid())-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: workRoot) }

do {
    if options.list {
        for name in ReaderCatalog.names {
            let driver = try ReaderCatalog.make(name, in: workRoot)
            print("\(name): \(driver.calls)")
            for seed in driver.seeds {
                print("    \(seed.name) (\(seed.role), \(seed.bytes.count) bytes\(seed.gzipAfterMutation ? ", gzipped after mutation" : ""))")
            }
        }
    } else if let replay = options.replay {
        let url = URL(fileURLWithPath: replay)
        guard let (reader, role) = Reproducer.parse(fileName: url.lastPathComponent) else {
            fail("\(replay): expected a reproducer name READER--ROLE--seedS--inputN.EXT", status: 2)
        }
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: url)) } catch { fail("cannot read \(replay): \(error.localizedDescription)", status: 2) }
        let driver = try ReaderCatalog.make(reader, in: workRoot)
        try driver.prepare()
        let started = ContinuousClock.now
        do {
            try driver.run(bytes, role: role)
            print("\(reader) (\(role)): accepted in \(String(format: "%.3f", (ContinuousClock.now - started).seconds)) s")
        } catch let error as HarnessError {
            throw error
        } catch {
            print("\(reader) (\(role)): rejected in \(String(format: "%.3f", (ContinuousClock.now - started).seconds)) s: \(error)")
        }
    } else {
        let drivers = try options.readers.map { try ReaderCatalog.make($0, in: workRoot) }
        for driver in drivers { try driver.prepare() }
        let reproducer = try Reproducer(folder: options.crashDirectory)
        FileHandle.standardError.write(Data(("fuzz-readers: seed \(options.seed), \(options.inputsPerReader) inputs per reader, readers "
            + options.readers.joined(separator: ",") + "; the input in progress is written to \(reproducer.folder.path)\n").utf8))
        let round = Round(options: options, drivers: drivers, reproducer: reproducer, watchdog: Watchdog(limitSeconds: options.watchdogSeconds))
        let summary = try round.run()
        reproducer.removeFolderIfEmpty()
        print(options.json ? try summary.json() : summary.table())
        if !summary.hangs.isEmpty {
            try? FileManager.default.removeItem(at: workRoot)
            exit(1)
        }
    }
} catch {
    try? FileManager.default.removeItem(at: workRoot)
    fail("\(error)", status: 2)
}

import Foundation

/// One fuzzing round: the readers take turns, one input each, until each has had its
/// inputs or the time limit is reached.
struct Round {
    let options: Options
    let drivers: [any ReaderDriver]
    let reproducer: Reproducer
    let watchdog: Watchdog

    func run() throws -> RoundSummary {
        var summary = RoundSummary(seed: options.seed, inputsPerReader: options.inputsPerReader, maxSeconds: options.maxSeconds,
                                   hangSeconds: options.hangSeconds, readers: drivers.map { ReaderTally(reader: $0.name) },
                                   crashDirectory: reproducer.folder.path)
        // Splicing takes the tail of another seed of the same role.
        let siblings: [[String: [Seed]]] = drivers.map { driver in Dictionary(grouping: driver.seeds, by: \.role) }
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = options.maxSeconds.map { started + .milliseconds(Int64($0 * 1_000)) }
        let saved = try options.saveInputs.map { try Reproducer(folder: $0) }
        rounds: for input in options.firstInput ..< options.firstInput + options.inputsPerReader {
            for (slot, driver) in drivers.enumerated() {
                if let deadline, clock.now >= deadline {
                    summary.stoppedByTimeLimit = true
                    break rounds
                }
                var random = FuzzRandom(seed: options.seed, reader: driver.name, input: input)
                let seed = random.pick(driver.seeds)
                let others = (siblings[slot][seed.role] ?? []).filter { $0.name != seed.name }
                let bytes = Mutator.mutant(of: seed, siblings: others, random: &random)
                let name = Reproducer.fileName(reader: driver.name, role: seed.role, seed: options.seed, input: input)
                let file = try reproducer.write(bytes, named: name)
                _ = try saved?.write(bytes, named: name)

                watchdog.begin("\(driver.name) input \(input) (reproducer \(file.path))")
                let inputStarted = clock.now
                var failure: (any Error)?
                do {
                    try driver.run(bytes, role: seed.role)
                } catch let error as HarnessError {
                    throw error
                } catch {
                    failure = error
                }
                let seconds = (clock.now - inputStarted).seconds
                watchdog.end()

                var tally = summary.readers[slot]
                tally.inputs += 1
                tally.seconds += seconds
                if let failure {
                    tally.rejected += 1
                    tally.rejectionsByErrorType[String(describing: type(of: failure)), default: 0] += 1
                } else {
                    tally.accepted += 1
                }
                if seconds > tally.slowestSeconds { (tally.slowestSeconds, tally.slowestInput) = (seconds, input) }
                if seconds > options.hangSeconds {
                    tally.hangs += 1
                    let kept = reproducer.keepAsHang(file)
                    summary.hangs.append(Hang(reader: driver.name, input: input, seconds: seconds, reproducer: kept.path))
                } else {
                    reproducer.remove(file)
                }
                summary.readers[slot] = tally
            }
        }
        summary.seconds = (clock.now - started).seconds
        return summary
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}

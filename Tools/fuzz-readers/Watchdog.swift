import Foundation
import Synchronization

/// Ends the process when one input runs far too long (an infinite loop in a reader cannot
/// be interrupted in-process), leaving that input's reproducer behind.
final class Watchdog: Sendable {
    private struct Current {
        let started: ContinuousClock.Instant
        let label: String
    }

    private let current = Mutex<Current?>(nil)
    private let limit: Duration

    init(limitSeconds: Double) {
        limit = .milliseconds(Int64(limitSeconds * 1_000))
        let thread = Thread { [self] in watch() }
        thread.name = "fuzz-readers watchdog"
        thread.start()
    }

    /// Marks an input as running; `label` says which and where its reproducer is.
    func begin(_ label: String) {
        current.withLock { $0 = Current(started: .now, label: label) }
    }

    func end() {
        current.withLock { $0 = nil }
    }

    private func watch() {
        while true {
            Thread.sleep(forTimeInterval: 0.25)
            let overdue = current.withLock { state -> String? in
                guard let state, ContinuousClock.now - state.started > limit else { return nil }
                return state.label
            }
            if let overdue {
                FileHandle.standardError.write(Data("fuzz-readers: watchdog: \(overdue) is still running after \(limit); stopping\n".utf8))
                _exit(3)
            }
        }
    }
}

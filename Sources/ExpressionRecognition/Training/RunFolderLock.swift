import Foundation
import NeuralNetworks
import Synchronization

/// The exclusive right to write a run folder: an advisory `flock` on the folder itself, held
/// while any ``RunFolder`` value of this process that writes it is alive.
///
/// Two processes writing one run (a `--resume` started while the run still trains elsewhere,
/// or two `--overwrite` runs into one folder) would append the same epochs twice to
/// metrics.jsonl and replace each other's checkpoints. The second writer is refused instead.
/// The kernel drops the lock when its process ends, however it ends, so a killed run leaves
/// no stale lock behind. Readers (`fer evaluate`, `summarize`) take no lock.
final class RunFolderLock: Sendable {
    let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }  // closing the last descriptor releases the flock

    /// The locks this process holds, by folder: a second writer of the same folder in this
    /// process shares the lock (a second flock on a new descriptor would conflict with it).
    private struct Held: @unchecked Sendable { weak var lock: RunFolderLock? }  // guarded by `held`
    private static let held = Mutex<[String: Held]>([:])

    /// Takes the lock on the existing folder `url`, or the one this process already holds.
    /// - Throws: `TensorError.invalidArgument` when another process holds it, and
    ///   `TensorError.malformedFile` when the folder cannot be opened.
    static func acquire(_ url: URL) throws -> RunFolderLock {
        let path = url.standardizedFileURL.resolvingSymlinksInPath().path
        return try held.withLock { table in
            if let lock = table[path]?.lock { return lock }
            let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw TensorError.malformedFile(path: path, message: "cannot open the run folder to lock it: \(String(cString: strerror(errno)))")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let code = errno
                close(descriptor)
                if code == EWOULDBLOCK {
                    throw TensorError.invalidArgument(
                        op: "run folder",
                        message: "\(path) is being written by another process (a run still training or the demo); wait for it to end, or stop it and continue with --resume")
                }
                throw TensorError.malformedFile(path: path, message: "cannot lock the run folder: \(String(cString: strerror(code)))")
            }
            let lock = RunFolderLock(path: path, descriptor: descriptor)
            table[path] = Held(lock: lock)
            return lock
        }
    }
}

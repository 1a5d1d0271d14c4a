/// A failed MPI call, or a distributed operation given arguments that cannot work.
///
/// The world communicator returns errors instead of aborting (`MPI_ERRORS_RETURN`), so a bad
/// call surfaces here as a thrown error with MPI's own message rather than killing the job.
public enum MPIError: Error, Equatable, CustomStringConvertible {
    /// An MPI function returned `code`; `message` is `MPI_Error_string`'s text.
    case callFailed(operation: String, code: Int32, message: String)
    /// A distributed operation was called with arguments it cannot use.
    case invalidArgument(operation: String, message: String)
    /// The ranks disagree about something that must be the same everywhere (the model's
    /// layout, the local batch size).
    case ranksDisagree(operation: String, message: String)

    public var description: String {
        switch self {
        case .callFailed(let operation, let code, let message): return "\(operation) failed (MPI error \(code)): \(message)"
        case .invalidArgument(let operation, let message): return "\(operation): \(message)"
        case .ranksDisagree(let operation, let message): return "\(operation): the processes disagree: \(message)"
        }
    }
}

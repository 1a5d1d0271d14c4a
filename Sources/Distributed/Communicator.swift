import CMPI
import Foundation

/// A group of processes that reduce and broadcast together (here always `MPI_COMM_WORLD`).
///
/// Every collective call must be made by every rank, in the same order, with the same
/// element count: that is MPI's contract, and the callers in this module check the counts
/// (with a small all-reduce) before they depend on them. Calls come from the thread that
/// made the ``MPIRuntime``. Failures are thrown as ``MPIError``.
public final class Communicator {
    let handle: MPI_Comm
    /// This process's index, 0 ..< ``size``.
    public let rank: Int
    /// The number of processes.
    public let size: Int

    /// MPI counts are 32-bit: longer buffers go in pieces of this many elements.
    static let largestCount = Int(Int32.max)

    init(world _: Void) throws {
        handle = cmpi_comm_world()
        try Self.check(MPI_Comm_set_errhandler(handle, cmpi_errors_return()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0, size: Int32 = 0
        try Self.check(MPI_Comm_rank(handle, &rank), "MPI_Comm_rank")
        try Self.check(MPI_Comm_size(handle, &size), "MPI_Comm_size")
        self.rank = Int(rank)
        self.size = Int(size)
    }

    /// Throws ``MPIError/callFailed(operation:code:message:)`` for a code other than MPI_SUCCESS.
    static func check(_ code: Int32, _ operation: String) throws {
        guard code != MPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        let message = MPI_Error_string(code, &text, &length) == MPI_SUCCESS
            ? String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "unknown error"
        throw MPIError.callFailed(operation: operation, code: code, message: message)
    }

    /// Combines `buffer` element-wise across all ranks, in place: afterwards every rank holds
    /// the same result. MPI's reduction order is fixed for a given process count and layout,
    /// so repeated runs give the same bits.
    public func allReduce<Scalar: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, _ operation: ReductionOperation) throws {
        guard let base = buffer.baseAddress else { return }
        var start = 0
        while start < buffer.count {
            let count = min(Self.largestCount, buffer.count - start)
            try Self.check(MPI_Allreduce(UnsafeRawPointer(cmpi_in_place()), base + start, Int32(count),
                                         Scalar.mpiDatatype, operation.handle, handle), "MPI_Allreduce")
            start += count
        }
    }

    /// Combines an array element-wise across all ranks, in place.
    public func allReduce<Scalar: MPIScalar>(_ values: inout [Scalar], _ operation: ReductionOperation) throws {
        try values.withUnsafeMutableBufferPointer { try allReduce($0, operation) }
    }

    /// The element-wise mean across ranks, in place (a sum, then a division by ``size``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func allReduceAverage<Scalar: MPIScalar>(_ values: inout [Scalar]) throws {
        try allReduce(&values, .sum)
        let divisor = Scalar(size)
        for i in values.indices { values[i] /= divisor }
    }

    /// Copies rank `root`'s buffer into every other rank's, in place.
    /// - Throws: ``MPIError/invalidArgument(operation:message:)`` for a root outside the ranks.
    public func broadcast<Scalar: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, from root: Int) throws {
        guard (0..<size).contains(root) else {
            throw MPIError.invalidArgument(operation: "broadcast", message: "root \(root) is not one of the ranks 0..<\(size)")
        }
        guard let base = buffer.baseAddress else { return }
        var start = 0
        while start < buffer.count {
            let count = min(Self.largestCount, buffer.count - start)
            try Self.check(MPI_Bcast(base + start, Int32(count), Scalar.mpiDatatype, Int32(root), handle), "MPI_Bcast")
            start += count
        }
    }

    /// Copies rank `root`'s array into every other rank's, in place (the arrays must have
    /// the same count everywhere).
    public func broadcast<Scalar: MPIScalar>(_ values: inout [Scalar], from root: Int) throws {
        try values.withUnsafeMutableBufferPointer { try broadcast($0, from: root) }
    }

    /// Waits until every rank has called it.
    public func barrier() throws {
        try Self.check(MPI_Barrier(handle), "MPI_Barrier")
    }

    /// Throws ``MPIError/ranksDisagree(operation:message:)`` unless every rank passed the same
    /// values (one small all-reduce of the values and their negations).
    public func requireSameEverywhere(_ values: [Double], what: String, operation: String) throws {
        var extremes = values + values.map { -$0 }
        try allReduce(&extremes, .maximum)
        let n = values.count
        for i in 0..<n where extremes[i] != -extremes[n + i] {
            throw MPIError.ranksDisagree(operation: operation, message: "\(what) ranges from \(-extremes[n + i]) to \(extremes[i]) across the ranks (this rank: \(values[i]))")
        }
    }

    /// Stops the whole job: prints `message` with this rank on standard error and calls
    /// `MPI_Abort`, which makes the launcher end every other rank too, so none waits
    /// forever in a collective that this rank will never join.
    public func abort(_ message: String, exitCode: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("rank \(rank) of \(size): \(message); stopping every rank\n".utf8))
        MPI_Abort(handle, exitCode)
        exit(exitCode)  // MPI_Abort does not return; this is for the compiler
    }

    /// Runs `body`; if it throws, aborts the job with the error (see ``abort(_:exitCode:)``).
    public func abortingOnError<Result>(_ body: () throws -> Result) -> Result {
        do { return try body() } catch { abort("\(error)") }
    }
}

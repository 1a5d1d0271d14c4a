import CMPI
import Foundation

/// The MPI library's lifetime in this process: `MPI_Init_thread` when made, `MPI_Finalize`
/// when ``finalize()`` is called.
///
/// The thread level is `MPI_THREAD_FUNNELED`: the library's worker threads compute, but only
/// the thread that made the runtime calls MPI. MPI can be initialised once per process;
/// making a second runtime (or one after finalising) throws.
public final class MPIRuntime {
    /// Every process of the job (`MPI_COMM_WORLD`), set to return errors rather than abort.
    public let world: Communicator
    private var isFinalized = false

    /// - Throws: ``MPIError`` when MPI is already initialised or finalised in this process,
    ///   when it cannot start, or when it cannot give funnelled thread support.
    public init() throws {
        var initialized: Int32 = 0, finalized: Int32 = 0
        MPI_Initialized(&initialized)
        MPI_Finalized(&finalized)
        guard initialized == 0, finalized == 0 else {
            throw MPIError.invalidArgument(operation: "MPI_Init_thread", message: "MPI was already \(finalized != 0 ? "finalised" : "initialised") in this process")
        }
        var provided: Int32 = 0
        let required = Int32(MPI_THREAD_FUNNELED)
        try Communicator.check(MPI_Init_thread(nil, nil, required, &provided), "MPI_Init_thread")
        guard provided >= required else {
            MPI_Finalize()
            throw MPIError.invalidArgument(operation: "MPI_Init_thread", message: "this MPI gives thread level \(provided), below MPI_THREAD_FUNNELED")
        }
        world = try Communicator(world: ())
    }

    /// Ends MPI in this process. Every rank must call it (it synchronises); calling it twice does nothing.
    public func finalize() throws {
        guard !isFinalized else { return }
        isFinalized = true
        try Communicator.check(MPI_Finalize(), "MPI_Finalize")
    }

    /// Whether this process was started by an MPI launcher (`mpirun`, `srun`): the variables
    /// Open MPI, MPICH/Hydra and Slurm's PMI set for each rank.
    public static var isLaunchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"].contains { environment[$0] != nil }
    }
}

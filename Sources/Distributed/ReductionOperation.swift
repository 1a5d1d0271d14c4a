import CMPI

/// The element-wise combination an all-reduce applies across ranks.
public enum ReductionOperation: Sendable {
    case sum, maximum, minimum

    var handle: MPI_Op {
        switch self {
        case .sum: return cmpi_sum()
        case .maximum: return cmpi_max()
        case .minimum: return cmpi_min()
        }
    }
}

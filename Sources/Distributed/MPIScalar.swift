import CMPI
import Tensors

/// A tensor element type that MPI can reduce, with its MPI datatype.
public protocol MPIScalar: TensorScalar {
    static var mpiDatatype: MPI_Datatype { get }
}

extension Float: MPIScalar {
    public static var mpiDatatype: MPI_Datatype { cmpi_float() }
}

extension Double: MPIScalar {
    public static var mpiDatatype: MPI_Datatype { cmpi_double() }
}

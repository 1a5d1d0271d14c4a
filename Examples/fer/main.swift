// fer: the paper's experiments from the command line. The commands live in FERCommands,
// which fer-distributed shares; this program never links MPI.
import FERCommands

FER.main()

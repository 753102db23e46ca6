import Foundation
import ConfigLoading
import Distributed
import LinearTraining
import SyntheticData
import HardwareTopology

/// Exit codes (documented in the README): the sysexits values where one fits.
enum ExitStatus: Int32 {
    case ok = 0
    case diverged = 3
    case usage = 64
    case badData = 65
    case missingInput = 66
    /// EX_UNAVAILABLE: a program or library the command needs is not installed (mpirun for
    /// `sweep --ranks`; Open MPI's libmpi for a rank started by mpirun).
    case unavailable = 69
    case ioError = 74
    /// EX_TEMPFAIL: another lockstep run holds the directory (a checkpoint, run or dataset directory).
    case busy = 75
}

/// A failure of the command line: bad config, bad data, I/O. Printed as one `error:` line.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var status: ExitStatus

    var description: String { message }

    static func from(_ error: Error) -> CLIError {
        switch error {
        case let e as CLIError: return e
        case let e as ConfigError:
            switch e.kind {
            case .missingFile, .notRegularFile: return CLIError(message: e.description, status: .missingInput)
            case .unreadable: return CLIError(message: e.description, status: .ioError)
            default: return CLIError(message: e.description, status: .usage)
            }
        case let e as DataError:
            switch e {
            case .fileNotFound, .notRegularFile: return CLIError(message: e.description, status: .missingInput)
            case .invalidSpec, .outputExists, .outputInTheWay: return CLIError(message: e.description, status: .usage)
            case .writeFailed, .cancelled: return CLIError(message: e.description, status: .ioError)
            case .outOfMemory: return CLIError(message: e.description, status: .ioError)
            default: return CLIError(message: e.description, status: .badData)
            }
        case let e as TrainingError:
            switch e {
            case .diverged:
                // The library says "e.g. to 0.01"; the command line adds the flag that sets it.
                let flag = e.suggestedLearningRate.map { " (--lr \(String(format: "%g", $0)))" } ?? ""
                return CLIError(message: e.description + flag, status: .diverged)
            case .featureMismatch, .badLabel: return CLIError(message: e.description, status: .badData)
            case .invalidValue: return CLIError(message: e.description, status: .usage)
            case .checkpointMismatch: return CLIError(message: e.description + " (--checkpoint-dir)", status: .usage)
            case .badCheckpoint: return CLIError(message: e.description, status: .badData)
            case let .badModel(path, _):
                // A model file that is there is bad data; a missing one, or a FIFO or device in its place, is no input (66).
                let regular = (try? InputFile.requireRegular(path)) != nil
                return CLIError(message: e.description, status: regular ? .badData : .missingInput)
            case .checkpointWriteFailed: return CLIError(message: e.description, status: .ioError)
            }
        case let e as TopologyError: return CLIError(message: e.description, status: .ioError)
        case let e as MPIWorld.StartError:
            return CLIError(message: e.description + " (started by mpirun: install Open MPI 4, Debian's libopenmpi3, or set LOCKSTEP_MPI_LIBRARY to its libmpi)", status: .unavailable)
        default: return CLIError(message: "\(error)", status: .ioError)
        }
    }
}

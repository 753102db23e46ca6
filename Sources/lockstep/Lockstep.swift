import ArgumentParser
import CLockstepShims
import Foundation
import LinearTraining

@main
struct Lockstep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockstep",
        abstract: "Synchronous data-parallel SGD for linear models, bit-for-bit identical on any thread count.",
        discussion: """
            Exit codes: 0 ok, 3 training diverged, 64 bad usage or config, 65 bad data or model file, 66 missing input file, 69 a needed program or library missing (mpirun, Open MPI), \
            74 I/O error (standard output included), 75 a directory in use by another run, 130/143/129 \
            interrupted by SIGINT/SIGTERM/SIGHUP.

            Shell completions: lockstep --generate-completion-script bash|zsh|fish.

            Environment: LOCKSTEP_KERNELS=portable|avx512|auto picks the copy of the gradient kernels \
            (auto, the default: AVX-512 where the CPU has it, in any build; at d = 64 the two copies agree \
            to rounding, not bit for bit); NO_COLOR=1 turns colour off.
            """,
        version: LockstepVersion.string,
        subcommands: [TrainCommand.self, PredictCommand.self, EvaluateCommand.self, SweepCommand.self, GenerateCommand.self, PlotCommand.self, TopologyCommand.self],
        defaultSubcommand: nil
    )

    /// ArgumentParser's main, with standard output line-buffered (epoch lines reach a pipe as they
    /// are printed) and its last flush checked: output that could not be written (`> /dev/full`, a
    /// full disk) is exit 74, never a silent 0.
    static func main() {
        ls_stdout_line_buffered()
        _ = ls_watch_bus_errors()  // a mapped data file that shrinks: a message and exit 74, not a silent SIGBUS
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if ls_flush_stdout() != 0 { reportStdoutFailure() }
            exit(withError: error)
        }
        if ls_flush_stdout() != 0 { reportStdoutFailure() }
    }

    static func reportStdoutFailure() -> Never {
        printError("error: cannot write standard output: \(String(cString: strerror(errno)))")
        Foundation.exit(ExitStatus.ioError.rawValue)
    }
}

/// Runs a command body, turning any thrown error into one `error:` line on stderr and its exit code.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        let e = CLIError.from(error)
        printError("error: \(e.message)")
        throw ExitCode(e.status.rawValue)
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

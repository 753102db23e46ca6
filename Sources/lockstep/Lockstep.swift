import ArgumentParser
import Foundation

@main
struct Lockstep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockstep",
        abstract: "Synchronous data-parallel SGD for linear models, bit-for-bit identical on any thread count.",
        discussion: """
            Exit codes: 0 ok, 3 training diverged, 64 bad usage or config, 65 bad data, 66 missing input file, \
            74 I/O error, 130/143 interrupted by SIGINT/SIGTERM.

            Environment: LOCKSTEP_KERNELS=portable|avx512|auto picks the copy of the gradient kernels \
            (auto, the default: AVX-512 where the CPU has it, in any build; at d = 64 the two copies agree \
            to rounding, not bit for bit); NO_COLOR=1 turns colour off.
            """,
        subcommands: [TrainCommand.self, SweepCommand.self, GenerateCommand.self, PlotCommand.self, TopologyCommand.self],
        defaultSubcommand: nil
    )
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

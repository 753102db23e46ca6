import SyntheticData

/// The CLI's output files (summaries, metrics, plots, run directories), written whole through
/// `AtomicFile`: a reader never sees half of one, and a failure leaves any previous file untouched.
enum OutputFile {
    static func write(_ text: String, to path: String) throws(CLIError) {
        do {
            try AtomicFile.write(text, to: path)
        } catch {
            throw CLIError(message: error.description, status: .ioError)
        }
    }
}

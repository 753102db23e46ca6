/// A problem with a config file: names the file, the key path and the fix.
public struct ConfigError: Error, CustomStringConvertible {
    /// What went wrong, for choosing a reaction (the CLI maps it to an exit status) without parsing
    /// the message.
    public enum Kind: Sendable {
        /// The config file does not exist (the CLI exits 66).
        case missingFile
        /// A FIFO, device, socket or directory given as the config (exit 66, as a missing file).
        case notRegularFile
        /// The file exists but could not be read (an I/O error; the CLI exits 74).
        case unreadable
        /// Not valid YAML or JSON, or a mapping key that is not a plain name.
        case syntax
        /// A key the config does not know; the message suggests the closest known one.
        case unknownKey
        /// A value of the wrong type, e.g. a string where a number belongs.
        case wrongType
        /// A value of the right type outside what is accepted, or a file that is too large, empty or
        /// not UTF-8.
        case invalidValue
    }
    /// The category of the problem.
    public var kind: Kind
    /// The whole message for a person: the file, the key path and what would be accepted.
    public var message: String

    /// An error of `kind` whose `description` is `message`.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

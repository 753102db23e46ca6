/// A problem with a config file: names the file, the key path and the fix.
public struct ConfigError: Error, CustomStringConvertible {
    public enum Kind: Sendable {
        /// A FIFO, device, socket or directory given as the config (exit 66, as a missing file).
        case missingFile, notRegularFile, unreadable, syntax, unknownKey, wrongType, invalidValue
    }
    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// A problem with a config file: names the file, the key path and the fix.
public struct ConfigError: Error, CustomStringConvertible {
    public enum Kind: Sendable {
        case missingFile, unreadable, syntax, unknownKey, wrongType, invalidValue
    }
    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

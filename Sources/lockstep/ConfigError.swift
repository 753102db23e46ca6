/// A problem with a config file: names the file, the key path and the fix.
struct ConfigError: Error, CustomStringConvertible {
    enum Kind {
        case missingFile, unreadable, syntax, unknownKey, wrongType, invalidValue
    }
    var kind: Kind
    var message: String

    var description: String { message }

    var status: ExitStatus {
        switch kind {
        case .missingFile: return .missingInput
        case .unreadable: return .ioError
        default: return .usage
        }
    }
}

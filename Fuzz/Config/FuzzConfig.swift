// libFuzzer target: the config decoder (YAML/JSON through Yams, then the strict reader) must turn
// any text into a TrainingConfig or a ConfigError, never a trap or a crash.
import ConfigLoading
import LockstepFuzzDriver

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let config = try? ConfigFile.parse(text, file: "fuzz.yaml") {
        // Whatever it accepts must pass the trainer's own validation, or be rejected by it cleanly.
        _ = try? config.validate()
    }
    return 0
}

/// The entry point SwiftPM links (`<module>_main`): libFuzzer's driver over the function above.
@_cdecl("lockstep_fuzz_config_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzConfig)
}

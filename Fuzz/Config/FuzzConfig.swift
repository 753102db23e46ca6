// libFuzzer target: the config decoder (YAML/JSON through Yams, then the strict reader) must turn
// any text into a TrainingConfig or a ConfigError, never a trap or a crash.
import ConfigLoading

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let config = try? ConfigFile.parse(text, file: "fuzz.yaml") {
        // Whatever it accepts must pass the trainer's own validation, or be rejected by it cleanly.
        _ = try? config.validate()
    }
    return 0
}

/// SwiftPM links an executable's entry point as `<module>_main`; this one hands control to libFuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("lockstep_fuzz_config_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzConfig)
}

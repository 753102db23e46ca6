// libFuzzer target: the .npy header parser must turn any bytes into a header or an NpyProblem,
// never a trap, a crash or an out-of-bounds read (built with -sanitize=fuzzer,address by `make fuzz`).
import LockstepFuzzDriver
import SyntheticData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpyHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    // The file size is fuzzed too: the bytes may be a prefix of a larger file, or all of it.
    let fileSize = size > 0 ? size + Int(data[0] & 3) * 4096 : 0
    if let header = try? NpyHeader.parse(bytes, fileSize: fileSize) {
        // A parsed header must describe data inside the file.
        precondition(header.dataOffset <= fileSize, "data offset \(header.dataOffset) beyond the file (\(fileSize))")
    }
    return 0
}

/// The entry point SwiftPM links (`<module>_main`): libFuzzer's driver over the function above.
@_cdecl("lockstep_fuzz_npy_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzNpyHeader)
}

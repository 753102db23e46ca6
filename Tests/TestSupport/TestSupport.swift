import Foundation

/// Helpers the test targets share: numpy as an oracle, temporary directories, checksums.

/// What a finished child process printed and how it exited.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs `executable` with `arguments` (in `directory` when given, with `environment` added to this
/// process's) to the end, capturing its output. With a `timeout` (seconds), a child still running
/// then is killed (SIGKILL) and its result says so: a test of a hang fails instead of hanging.
public func runProcess(
    _ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
    timeout: Double? = nil
) throws -> ProcessResult {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    if let directory { p.currentDirectoryURL = directory }
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Both pipes drained at once: a child writing much to one while we wait on the other would block.
    nonisolated(unsafe) var e = Data()
    let readErr = DispatchGroup()
    DispatchQueue.global().async(group: readErr) { e = err.fileHandleForReading.readDataToEndOfFile() }
    nonisolated(unsafe) var timedOut = false
    let watchdog = timeout.map { seconds in
        let item = DispatchWorkItem {
            timedOut = true
            kill(p.processIdentifier, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item)
        return item
    }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    readErr.wait()
    p.waitUntilExit()
    watchdog?.cancel()
    var stderr = String(decoding: e, as: UTF8.self)
    if timedOut { stderr += "\n[test: killed after \(timeout!) s: still running]" }
    return ProcessResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: stderr)
}

/// Runs a Python 3 script (numpy is installed by `make deps`) and returns its stdout.
public func python(_ script: String) throws -> String {
    let r = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script])
    guard r.status == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: r.stderr])
    }
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

public func tempDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("lockstep-npy-\(UUID().uuidString)").path
}

public func bytesOf(_ p: UnsafePointer<Float>, _ n: Int) -> Data { Data(bytes: p, count: n * 4) }

/// zlib's CRC-32, bit by bit: an independent check of the values numpy reports.
public func crc32(_ data: Data) -> UInt32 {
    var table = [UInt32](repeating: 0, count: 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        table[i] = c
    }
    var crc: UInt32 = 0xFFFF_FFFF
    for b in data { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
}

/// The JSON object of `Tests/Fixtures/<name>` (the fixtures the scripts/ oracles made).
public func fixture(_ name: String) throws -> [String: Any] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/\(name)")
    return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
}

/// Float32 values from a fixture's 8-hex-digit bit patterns.
public func hexFloats(_ v: Any?) -> [Float] { (v as! [String]).map { Float(bitPattern: UInt32($0, radix: 16)!) } }

/// A fixture's number as Double.
public func number(_ v: Any?) -> Double { (v as! NSNumber).doubleValue }

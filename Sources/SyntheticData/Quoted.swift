/// `text` in single quotes for an error message, cut to its first `limit` characters with "…":
/// a key, header or value quoted from an input is at most ~80 characters, so a 10 MB YAML key gives
/// a one-line message, not a 20 MB one. Used by ConfigLoading, the .npy and the CSV readers.
public func quoted(_ text: some StringProtocol, limit: Int = 80) -> String {
    var count = 0
    var end = text.startIndex
    while end < text.endIndex && count < limit {
        end = text.index(after: end)
        count += 1
    }
    return end == text.endIndex ? "'\(text)'" : "'\(text[..<end])…' (\(text.utf8.count) bytes)"
}

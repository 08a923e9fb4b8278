/// A single `Range: bytes=…` request (RFC 9110 §14.1.2) resolved against a file size.
enum ByteRange: Equatable, Sendable {
    /// Serve the whole file (no Range header, or one the emulator ignores, like several ranges).
    case whole
    /// Serve `start...end` (inclusive) with 206.
    case partial(start: Int64, end: Int64)
    /// Answer 416.
    case unsatisfiable

    static func resolve(_ header: String?, size: Int64) -> ByteRange {
        guard let header else { return .whole }
        let text = header.trimmingSpaces
        guard text.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = text.dropFirst(6).trimmingSpaces
        guard !spec.contains(",") else { return .whole }
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingSpaces
        let last = spec[spec.index(after: dash)...].trimmingSpaces
        if first.isEmpty {
            // Suffix range: the last N bytes.
            guard let suffix = Int64(last), suffix >= 0 else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .partial(start: max(0, size - suffix), end: size - 1)
        }
        guard let start = Int64(first), start >= 0 else { return .whole }
        var end = size - 1
        if !last.isEmpty {
            guard let requested = Int64(last), requested >= start else { return .whole }
            end = min(requested, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .partial(start: start, end: end)
    }
}

import FichierAPI
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress display on stderr for `event/progress`, only when stderr is a
/// terminal (so logs and pipes never see control characters).
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private var shown = false

    init() {
        enabled = isatty(STDERR_FILENO) == 1
    }

    /// Draws the latest progress event of the request labelled `label`.
    func update(_ params: JSONValue, label: String) {
        guard enabled, let done = params["bytesDone"]?.int64Value else { return }
        let total = params["bytesTotal"]?.int64Value
        let rate = params["rateBps"]?.int64Value
        let eta = params["etaSeconds"]?.int64Value
        let phase = params["phase"]?.stringValue ?? ""
        lock.lock()
        defer { lock.unlock() }
        var line = label.isEmpty ? phase : "\(label) \(phase)"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            line += " [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
            line += String(format: " %3d%%", Int(fraction * 100))
            line += " \(Self.bytes(done))/\(Self.bytes(total))"
        } else {
            line += " \(Self.bytes(done))"
        }
        if let rate { line += " \(Self.bytes(rate))/s" }
        if let eta { line += " ETA \(Self.duration(eta))" }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        shown = true
    }

    /// Removes the line (before results or errors are printed).
    func clear() {
        lock.lock()
        defer { lock.unlock() }
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }

    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1000 && unit < units.count - 1 {
            amount /= 1000
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f ", amount) + units[unit]
    }

    static func duration(_ seconds: Int64) -> String {
        seconds >= 3600
            ? String(format: "%d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60)
            : String(format: "%d:%02d", seconds / 60, seconds % 60)
    }
}

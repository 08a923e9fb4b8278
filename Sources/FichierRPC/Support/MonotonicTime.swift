#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds on the monotonic clock; cheap enough to read on every progress report.
enum MonotonicTime {
    static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped at zero.
    var nanosecondsClamped: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        let whole = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if whole.overflow { return UInt64.max }
        return whole.partialValue &+ UInt64(attoseconds / 1_000_000_000)
    }

    /// The duration in whole milliseconds, clamped at zero.
    var millisecondsClamped: Int {
        Int(clamping: nanosecondsClamped / 1_000_000)
    }
}

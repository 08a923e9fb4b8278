import Synchronization

/// Runtime switches for tests: flood locks, upload-node failures, API errors, rate limits,
/// latency, and the log of answered requests. Everything is off unless switched on.
public final class FaultInjector: Sendable {
    struct APIFault: Sendable {
        var remaining: Int
        var status: Int
        var path: String?
        var message: String?
    }

    struct FloodLock: Sendable {
        var until: ContinuousClock.Instant
        var message: String
    }

    private struct State: Sendable {
        var floodLock: FloodLock?
        var uploadFaults: [UploadFault] = []
        var downloadCuts: [Int64] = []
        var apiFaults: [APIFault] = []
        var rateLimits: RateLimits
        var latency: Duration
        var log: [EmulatorRequestRecord] = []
    }

    /// The log keeps the most recent requests only.
    static let logCapacity = 100_000

    private let state: Mutex<State>

    init(rateLimits: RateLimits, latency: Duration) {
        state = Mutex(State(rateLimits: rateLimits, latency: latency))
    }

    // MARK: Switches

    /// Every API call answers 403 with `message` for `duration` (the service's "IP Locked").
    public func floodLock(for duration: Duration, message: String = "Flood detected: IP Locked #374") {
        state.withLock { $0.floodLock = FloodLock(until: .now + duration, message: message) }
    }

    /// Ends a flood lock early.
    public func liftFloodLock() {
        state.withLock { $0.floodLock = nil }
    }

    /// The next `count` uploads to upload.cgi fail with `fault` (queued after earlier faults).
    public func failNextUploads(_ count: Int, with fault: UploadFault) {
        guard count > 0 else { return }
        state.withLock { $0.uploadFaults.append(contentsOf: repeatElement(fault, count: count)) }
    }

    /// The next `count` downloads (GET of a token URL) whose body is longer than `bytes` stop
    /// after `bytes` bytes of it: the connection closes short of the promised Content-Length,
    /// as a dropped connection does. Shorter downloads pass untouched.
    public func cutNextDownloads(_ count: Int, after bytes: Int64) {
        guard count > 0 else { return }
        state.withLock { $0.downloadCuts.append(contentsOf: repeatElement(max(0, bytes), count: count)) }
    }

    /// The next `count` API calls (only those to `path`, e.g. `"file/ls.cgi"` or
    /// `"/v1/file/ls.cgi"`, when given) answer `status`: 5xx with an nginx-style HTML page,
    /// other statuses with a JSON KO body carrying `message` (default `Injected failure #<status>`).
    /// With `message: "Flood detected: IP Locked #374"` and 403 they are flood refusals that end
    /// after exactly `count` calls, whatever the timing.
    public func failNextAPICalls(_ count: Int, status: Int, path: String? = nil, message: String? = nil) {
        guard count > 0 else { return }
        let normalized = path.map(Self.normalizedAPIPath)
        state.withLock {
            $0.apiFaults.append(APIFault(remaining: count, status: status, path: normalized, message: message))
        }
    }

    /// Switches the API rate limits.
    public func setRateLimits(_ limits: RateLimits) {
        state.withLock { $0.rateLimits = limits }
    }

    /// Delay added before every request is handled.
    public func setLatency(_ latency: Duration) {
        state.withLock { $0.latency = latency }
    }

    /// Clears every pending fault and flood lock (rate limits and latency stay).
    public func reset() {
        state.withLock {
            $0.floodLock = nil
            $0.uploadFaults = []
            $0.apiFaults = []
        }
    }

    /// Requests answered so far, oldest first (at most the last 100,000).
    public var requestLog: [EmulatorRequestRecord] { state.withLock { $0.log } }

    public func clearRequestLog() {
        state.withLock { $0.log = [] }
    }

    // MARK: Used by the server

    var rateLimits: RateLimits { state.withLock { $0.rateLimits } }
    var latency: Duration { state.withLock { $0.latency } }

    func activeFloodLock(now: ContinuousClock.Instant = .now) -> FloodLock? {
        state.withLock { state in
            guard let lock = state.floodLock else { return nil }
            if lock.until <= now {
                state.floodLock = nil
                return nil
            }
            return lock
        }
    }

    /// The cut for a body of `length` bytes, if one is queued and the body is longer.
    func takeDownloadCut(length: Int64) -> Int64? {
        state.withLock { state in
            guard let cut = state.downloadCuts.first, cut < length else { return nil }
            state.downloadCuts.removeFirst()
            return cut
        }
    }

    func takeUploadFault() -> UploadFault? {
        state.withLock { $0.uploadFaults.isEmpty ? nil : $0.uploadFaults.removeFirst() }
    }

    func takeAPIFault(endpointPath: String) -> (status: Int, message: String?)? {
        state.withLock { state in
            guard let index = state.apiFaults.firstIndex(where: { $0.remaining > 0 && ($0.path == nil || $0.path == endpointPath) })
            else { return nil }
            state.apiFaults[index].remaining -= 1
            let fault = state.apiFaults[index]
            if fault.remaining == 0 { state.apiFaults.remove(at: index) }
            return (fault.status, fault.message)
        }
    }

    func record(_ record: EmulatorRequestRecord) {
        state.withLock { state in
            if state.log.count >= Self.logCapacity { state.log.removeFirst(state.log.count / 10) }
            state.log.append(record)
        }
    }

    /// `"/v1/file/ls.cgi"`, `"v1/file/ls.cgi"` and `"file/ls.cgi"` all name the same endpoint.
    static func normalizedAPIPath(_ path: String) -> String {
        var text = path[...]
        while text.hasPrefix("/") { text = text.dropFirst() }
        if text.hasPrefix("v1/") { text = text.dropFirst(3) }
        return String(text)
    }
}

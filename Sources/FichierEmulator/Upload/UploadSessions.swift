import Synchronization

/// Upload ids handed out by get_upload_server and the reports end.pl serves, with their lifetime.
final class UploadSessions: Sendable {
    /// What end.pl reports for one upload request.
    struct Report: Sendable {
        struct Link: Sendable {
            var download: String
            var filename: String
            var remove: String
            var size: Int64
            var whirlpool: String
        }

        /// How end.pl misbehaves for this report (an injected fault).
        enum Behaviour: Sendable {
            case normal
            case pleaseWaitForever
            case pleaseWait(remainingCalls: Int)
            case emptyLinks
        }

        var links: [Link]
        var incoming: Int = 0
        var behaviour: Behaviour = .normal
    }

    enum Lookup: Sendable {
        case report(Report)
        case pleaseWait
        case unknown
    }

    private struct Entry: Sendable {
        var report: Report?
        var expires: ContinuousClock.Instant
    }

    private struct State: Sendable {
        var entries: [String: Entry] = [:]
        var issuedSinceCleanup = 0
    }

    private let lifetime: Duration
    private let state = Mutex(State())

    init(reportLifetime: Duration) {
        lifetime = reportLifetime
    }

    /// A fresh upload id for get_upload_server.
    func issue() -> String {
        state.withLock { state in
            cleanup(&state)
            while true {
                let id = RandomIdentifiers.uploadID()
                if state.entries[id] == nil { return id }
            }
        }
    }

    /// Reserves `id` for one upload.cgi request; false when it was already used.
    func claim(_ id: String) -> Bool {
        state.withLock { state in
            cleanup(&state)
            if state.entries[id] != nil { return false }
            state.entries[id] = Entry(report: nil, expires: .now + lifetime)
            return true
        }
    }

    /// Gives `id` back after an upload that stored nothing (fault, refusal), so it can be retried.
    func release(_ id: String) {
        state.withLock { state in
            if state.entries[id]?.report == nil { state.entries[id] = nil }
        }
    }

    /// Records the report of a finished upload; it lives for the report lifetime.
    func complete(_ id: String, with report: Report) {
        state.withLock { $0.entries[id] = Entry(report: report, expires: .now + lifetime) }
    }

    /// The report for an xid, honouring injected end.pl faults.
    func lookup(_ xid: String) -> Lookup {
        state.withLock { state in
            guard var entry = state.entries[xid] else { return .unknown }
            if entry.expires <= .now {
                state.entries[xid] = nil
                return .unknown
            }
            guard var report = entry.report else { return .pleaseWait }
            switch report.behaviour {
            case .normal:
                return .report(report)
            case .pleaseWaitForever:
                return .pleaseWait
            case .pleaseWait(let remaining):
                report.behaviour = remaining > 1 ? .pleaseWait(remainingCalls: remaining - 1) : .normal
                entry.report = report
                state.entries[xid] = entry
                return .pleaseWait
            case .emptyLinks:
                report.links = []
                return .report(report)
            }
        }
    }

    private func cleanup(_ state: inout State) {
        state.issuedSinceCleanup += 1
        guard state.issuedSinceCleanup >= 256 else { return }
        state.issuedSinceCleanup = 0
        let now = ContinuousClock.now
        state.entries = state.entries.filter { $0.value.expires > now }
    }
}

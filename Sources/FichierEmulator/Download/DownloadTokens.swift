import Synchronization

/// Download tokens from get_token: opaque, expiring, optionally single-use.
///
/// Single-use (`single:1`) tokens stay valid for several requests (Range requests of one
/// download, a resume after a cut) until a response has delivered the file's last byte in
/// full; after that they answer 410. Expiry is checked when a request starts.
final class DownloadTokens: Sendable {
    struct Grant: Sendable {
        var fileID: String
        var expires: ContinuousClock.Instant
        var singleUse: Bool
        var inline: Bool
        var used = false
    }

    enum Lookup: Sendable {
        case granted(Grant)
        case unknown
        case expired
        case used
    }

    private struct State: Sendable {
        var grants: [String: Grant] = [:]
        var issuedSincePrune = 0
    }

    private let state = Mutex(State())

    func issue(fileID: String, lifetime: Duration, singleUse: Bool, inline: Bool) -> String {
        state.withLock { state in
            state.issuedSincePrune += 1
            if state.issuedSincePrune >= 512 {
                state.issuedSincePrune = 0
                let horizon = ContinuousClock.now - .seconds(3_600)
                state.grants = state.grants.filter { $0.value.expires > horizon }
            }
            let token = RandomIdentifiers.downloadToken()
            state.grants[token] = Grant(fileID: fileID, expires: .now + lifetime, singleUse: singleUse, inline: inline)
            return token
        }
    }

    func lookup(_ token: String) -> Lookup {
        state.withLock { state in
            guard let grant = state.grants[token] else { return .unknown }
            if grant.used { return .used }
            if grant.expires <= .now { return .expired }
            return .granted(grant)
        }
    }

    /// Records that a single-use token delivered its file to the end.
    func markDelivered(_ token: String) {
        state.withLock { state in
            if state.grants[token]?.singleUse == true { state.grants[token]?.used = true }
        }
    }
}

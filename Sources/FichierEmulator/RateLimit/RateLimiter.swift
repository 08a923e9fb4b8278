import Synchronization

/// Enforces `RateLimits` on API calls: a sliding one-second window per caller, cooldowns for
/// folder listings, user/info and the account-wide file listing, and optional locks.
final class RateLimiter: Sendable {
    /// What a call is, as far as the limits care.
    enum CallKind: Sendable {
        case plain
        case folderListing(endpoint: String, folder: Int)
        case accountListing
        case userInfo
    }

    private struct State: Sendable {
        var recentCalls: [String: [ContinuousClock.Instant]] = [:]
        var lastListing: [String: ContinuousClock.Instant] = [:]
        var lastUserInfo: [String: ContinuousClock.Instant] = [:]
        var lastAccountListing: [String: ContinuousClock.Instant] = [:]
        var lockedUntil: [String: ContinuousClock.Instant] = [:]
        var admittedSincePrune = 0
    }

    private let state = Mutex(State())

    /// Admits a call or returns the flood refusal. `caller` is the key (or the address for
    /// anonymous calls); `address` is the client's address, locked too when a lock applies.
    func admit(_ kind: CallKind, caller: String, address: String, limits: RateLimits,
               now: ContinuousClock.Instant = .now) -> APIError? {
        guard !limits.isOff || limits.lockDuration > .zero else { return nil }
        return state.withLock { state -> APIError? in
            for id in [caller, address] {
                if let until = state.lockedUntil[id] {
                    if until > now { return .flood }
                    state.lockedUntil[id] = nil
                }
            }
            if let refusal = Self.check(kind, caller: caller, limits: limits, now: now, state: &state) {
                if limits.lockDuration > .zero {
                    state.lockedUntil[caller] = now + limits.lockDuration
                    state.lockedUntil[address] = now + limits.lockDuration
                }
                return refusal
            }
            Self.note(kind, caller: caller, now: now, state: &state)
            return nil
        }
    }

    /// Forgets every window and lock (used when limits are switched).
    func reset() {
        state.withLock { $0 = State() }
    }

    private static func check(_ kind: CallKind, caller: String, limits: RateLimits,
                              now: ContinuousClock.Instant, state: inout State) -> APIError? {
        if let perSecond = limits.callsPerSecond {
            let windowStart = now - .seconds(1)
            var times = state.recentCalls[caller] ?? []
            times.removeAll { $0 <= windowStart }
            state.recentCalls[caller] = times
            if times.count >= perSecond { return .flood }
        }
        switch kind {
        case .plain:
            return nil
        case .folderListing(let endpoint, let folder):
            if let interval = limits.folderListingInterval,
               let last = state.lastListing["\(caller)|\(endpoint)|\(folder)"], now - last < interval {
                return .flood
            }
        case .accountListing:
            if let interval = limits.accountListingInterval,
               let last = state.lastAccountListing[caller], now - last < interval {
                return .flood
            }
        case .userInfo:
            if let interval = limits.userInfoInterval,
               let last = state.lastUserInfo[caller], now - last < interval {
                return .userInfoFlood
            }
        }
        return nil
    }

    private static func note(_ kind: CallKind, caller: String, now: ContinuousClock.Instant, state: inout State) {
        state.recentCalls[caller, default: []].append(now)
        switch kind {
        case .plain: break
        case .folderListing(let endpoint, let folder): state.lastListing["\(caller)|\(endpoint)|\(folder)"] = now
        case .accountListing: state.lastAccountListing[caller] = now
        case .userInfo: state.lastUserInfo[caller] = now
        }
        state.admittedSincePrune += 1
        if state.admittedSincePrune >= 10_000 {
            state.admittedSincePrune = 0
            let horizon = now - .seconds(3_600)
            state.lastListing = state.lastListing.filter { $0.value > horizon }
            state.recentCalls = state.recentCalls.filter { !($0.value.last.map { $0 <= now - .seconds(1) } ?? true) }
        }
    }
}

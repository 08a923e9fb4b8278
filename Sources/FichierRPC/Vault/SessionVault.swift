import FichierAPI
import FichierCrypto
import Foundation

/// Where a session's API key comes from (reported by `vault/status`; with `.vault` the
/// 1fichier methods need the unlocked vault).
public enum APIKeySource: String, Sendable {
    /// The unlocked vault profile's key.
    case vault
    /// `FICHIER_API_KEY`.
    case environment
    /// `--api-key-file`.
    case file
    /// The sandbox emulator's generated key.
    case sandbox
    /// None at all: every 1fichier call fails with `auth_missing`.
    case none
}

/// The vault of one server session: its file, whether it is unlocked, the profile the
/// methods use, and the idle auto-lock. Secrets stay inside the `Vault` (sodium memory);
/// locking drops it, which wipes them once no transfer holds a profile any more.
public final class SessionVault: Sendable {
    /// The vault file (it may not exist).
    public let path: String
    /// Lock again after this long without use; nil keeps it unlocked until `vault/lock`.
    public let autoLock: Duration?
    private let limits: VaultKDFLimits
    private let state: Locked<State>

    struct State {
        var vault: Vault?
        /// The profile asked for (nil: the vault's default profile).
        var profileName: String?
        /// The selected profile's API key, ready for the HTTP header.
        var apiKey: APIKey?
        /// Bumped on every unlock and lock, so a stale auto-lock timer does nothing.
        var epoch: UInt64 = 0
        var lastUse: UInt64 = 0
        /// Arrival numbers of unlocks and locks: a change only takes effect if nothing that
        /// arrived after it has taken effect already (requests keep their arrival order).
        var arrivals: UInt64 = 0
        var applied: UInt64 = 0
        /// Unlocks still running, by arrival number.
        var pending: [UInt64: OneShotEvent] = [:]
    }

    public init(path: String, profile: String? = nil, autoLock: Duration? = nil,
                limits: VaultKDFLimits = .standard) {
        self.path = path
        self.autoLock = autoLock
        self.limits = limits
        state = Locked(State(profileName: profile))
    }

    /// Whether a vault (or its backup) is on disk.
    public var exists: Bool {
        FileManager.default.fileExists(atPath: path) || FileManager.default.fileExists(atPath: path + ".bak")
    }

    public var isUnlocked: Bool {
        state.withLock { $0.vault != nil }
    }

    /// The profile name asked for, or nil for the vault's default.
    public var requestedProfile: String? {
        state.withLock { $0.profileName }
    }

    // MARK: Unlocking and locking

    /// Opens the vault with `secret` and selects `profile` (or keeps the current choice).
    /// Argon2id runs on a thread of its own. A vault unlocked before is replaced; on failure
    /// the previous state stays as it was.
    public func unlock(_ secret: VaultSecret, profile: String? = nil) async throws(RPCError) {
        try await unlock(secret, profile: profile, arrival: nil)
    }

    func unlock(_ secret: VaultSecret, profile: String?, arrival: UInt64?) async throws(RPCError) {
        guard exists else { throw RPCError.vaultMissing("cannot unlock", path: path) }
        let path = self.path
        let limits = self.limits
        let vault: Vault
        do {
            vault = try await BlockingWork.run {
                try Vault.open(at: path, secret: secret, limits: limits)
            }
        } catch let error as VaultError {
            throw error.rpcError
        } catch {
            throw RPCError.from(error, cancelled: false)
        }
        try adopt(vault, profile: profile, arrival: arrival)
    }

    /// Takes a vault unlocked elsewhere (the command line unlocks through its own sources
    /// before the server starts) and selects `profile` (or keeps the current choice).
    public func adopt(_ vault: Vault, profile: String? = nil) throws(RPCError) {
        try adopt(vault, profile: profile, arrival: nil)
    }

    func adopt(_ vault: Vault, profile: String?, arrival: UInt64?) throws(RPCError) {
        let wanted = profile ?? requestedProfile
        let selected: VaultProfile
        do {
            selected = try vault.profile(named: wanted)
        } catch let error as VaultError {
            if case .invalidArgument = error {
                throw RPCError.invalidParams(path: "profile", problem: error.description)
            }
            throw error.rpcError
        } catch {
            throw RPCError.from(error, cancelled: false)
        }
        let key = selected.apiKey.flatMap { secret in secret.withUnsafeBytes { APIKey(bytes: $0) } }
        let epoch = state.withLock { state -> UInt64? in
            let order: UInt64
            if let arrival {
                order = arrival
            } else {
                state.arrivals += 1
                order = state.arrivals
            }
            // A lock or unlock that arrived later already took effect: it wins.
            guard order > state.applied else { return nil }
            state.applied = order
            state.vault = vault
            state.profileName = wanted
            state.apiKey = key
            state.epoch &+= 1
            state.lastUse = MonotonicTime.nanoseconds()
            return state.epoch
        }
        if let epoch { scheduleAutoLock(epoch: epoch) }
    }

    /// Forgets the unlocked vault (its keys are wiped once no transfer holds them). An
    /// unlock that arrived earlier but is still deriving its key will not unlock it again.
    public func lock() {
        state.withLock { state in
            state.arrivals += 1
            state.applied = state.arrivals
            state.vault = nil
            state.apiKey = nil
            state.epoch &+= 1
        }
    }

    // MARK: Arrival order

    /// Called when a `vault/unlock` arrives (on the reader thread, in arrival order): later
    /// requests can wait for it with `pendingUnlocks()`.
    func beginUnlock() -> UnlockTicket {
        let event = OneShotEvent()
        let arrival = state.withLock { state -> UInt64 in
            state.arrivals += 1
            state.pending[state.arrivals] = event
            return state.arrivals
        }
        return UnlockTicket(arrival: arrival, event: event, vault: self)
    }

    fileprivate func endUnlock(_ arrival: UInt64) {
        let event = state.withLock { $0.pending.removeValue(forKey: arrival) }
        event?.signal()
    }

    /// The unlocks that arrived so far and are still running.
    func pendingUnlocks() -> [OneShotEvent] {
        state.withLock { Array($0.pending.values) }
    }

    private func scheduleAutoLock(epoch: UInt64) {
        guard let autoLock else { return }
        let limit = autoLock.nanosecondsClamped
        Task.detached { [state] in
            while true {
                let wait: UInt64? = state.withLock { state in
                    guard state.epoch == epoch, state.vault != nil else { return nil }
                    let idle = MonotonicTime.nanoseconds() &- state.lastUse
                    if idle >= limit {
                        state.vault = nil
                        state.apiKey = nil
                        state.epoch &+= 1
                        return nil
                    }
                    return limit - idle
                }
                guard let wait else { return }
                try? await Task.sleep(nanoseconds: wait)
            }
        }
    }

    // MARK: What the methods use

    /// The selected profile. `vault_missing` without a vault, `vault_locked` when locked;
    /// `purpose` says what needed it ("cannot encrypt the upload").
    public func profile(for purpose: String) throws(RPCError) -> VaultProfile {
        let found: (vault: Vault?, name: String?) = state.withLock { state in
            if state.vault != nil { state.lastUse = MonotonicTime.nanoseconds() }
            return (state.vault, state.profileName)
        }
        guard let vault = found.vault else {
            if !exists { throw RPCError.vaultMissing(purpose, path: path) }
            throw RPCError.vaultLocked(purpose)
        }
        do {
            return try vault.profile(named: found.name)
        } catch {
            throw RPCError.mapping(kind: "key_missing", message: "\(purpose): \(error)")
        }
    }

    /// The identities that may open a file: the selected profile's first, then the other
    /// profiles' (a vault holds one person's accounts).
    public func identities(for purpose: String) throws(RPCError) -> [any AgeIdentity] {
        let selected = try profile(for: purpose)
        let others = state.withLock { $0.vault?.contents.profiles ?? [] }.filter { $0.name != selected.name }
        return [selected.identity] + others.map { $0.identity }
    }

    /// The unlocked profile, or nil when the vault is locked or absent (no error).
    public var unlockedProfile: VaultProfile? {
        try? profile(for: "")
    }

    /// The API key of the selected profile. Throws `FichierError(.authMissing)` with the
    /// reason (locked, no vault, no key in the profile), as a `CredentialProvider` must.
    public func apiKey() throws(FichierError) -> APIKey {
        let found: (unlocked: Bool, key: APIKey?, name: String?) = state.withLock { state in
            if state.vault != nil { state.lastUse = MonotonicTime.nanoseconds() }
            return (state.vault != nil, state.apiKey, state.profileName)
        }
        if let key = found.key { return key }
        if !found.unlocked {
            if !exists {
                throw FichierError(.authMissing, "no API key: set FICHIER_API_KEY or create a vault with `fichier vault init`")
            }
            throw FichierError(.authMissing, "the vault is locked: unlock it to use its API key")
        }
        let profile = found.name.map { "profile \"\($0)\"" } ?? "the default profile"
        throw FichierError(.authMissing, "\(profile) of the vault has no API key; set one with `fichier vault set-key`")
    }

    /// Public facts for `vault/status` (no secret).
    func status(keySource: APIKeySource) -> VaultStatus {
        let snapshot: (vault: Vault?, name: String?, hasKey: Bool) = state.withLock {
            ($0.vault, $0.profileName, $0.apiKey != nil)
        }
        var status = VaultStatus(path: path, exists: exists, locked: snapshot.vault == nil,
                                 apiKeySource: keySource.rawValue,
                                 autoLockSeconds: autoLock.map { Int($0.components.seconds) })
        if let summary = try? Vault.summary(at: path) {
            status.generation = Int64(clamping: summary.generation)
            status.slots = summary.slots.map { VaultStatus.Slot(kind: $0.kind, id: $0.id) }
            status.readFromBackup = summary.readFromBackup ? true : nil
        }
        if let vault = snapshot.vault {
            let contents = vault.contents
            status.profiles = contents.profiles.map(\.name)
            if let profile = try? contents.profile(named: snapshot.name) {
                status.profile = profile.name
                status.hasApiKey = snapshot.hasKey
                status.apiURL = profile.apiURL
                status.recipient = profile.recipient.encoded
                status.extraRecipients = profile.extraRecipients
                status.encryptUploads = profile.encryptUploads
                status.encryptNames = profile.encryptNames
            }
        }
        return status
    }
}

/// A `vault/unlock` between its arrival and its end. Ending it (or dropping it, should the
/// request never run) releases the requests that arrived after it.
final class UnlockTicket: Sendable {
    let arrival: UInt64
    let event: OneShotEvent
    private let vault: SessionVault

    fileprivate init(arrival: UInt64, event: OneShotEvent, vault: SessionVault) {
        self.arrival = arrival
        self.event = event
        self.vault = vault
    }

    func end() {
        vault.endUnlock(arrival)
    }

    deinit {
        vault.endUnlock(arrival)
    }
}

/// The result of `vault/status` (and of `vault/unlock`, `vault/lock`): public facts only.
struct VaultStatus: Encodable, Sendable {
    struct Slot: Encodable, Sendable {
        /// `passphrase` or `key-file`.
        var kind: String
        var id: String
    }

    var path: String
    var exists: Bool
    var locked: Bool
    /// `vault`, `environment`, `file`, `sandbox` or `none`.
    var apiKeySource: String
    var autoLockSeconds: Int?
    var generation: Int64?
    var slots: [Slot]?
    var readFromBackup: Bool?
    // Only while unlocked:
    var profile: String?
    var profiles: [String]?
    var hasApiKey: Bool?
    var apiURL: String?
    /// The profile's own age recipient (a public key).
    var recipient: String?
    var extraRecipients: [String]?
    var encryptUploads: Bool?
    var encryptNames: Bool?
}

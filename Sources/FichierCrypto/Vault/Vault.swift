import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A secret that opens a key slot.
public enum VaultSecret: Sendable {
    case passphrase(SecureBytes)
    /// The raw 32-byte key of a key file (see `VaultKeyFile.read(path:)`).
    case keyFile(SecureBytes)
}

/// Public facts about a vault, readable without unlocking it. Contains no secret.
public struct VaultSummary: Sendable {
    public struct Slot: Sendable {
        /// "passphrase" or "key-file".
        public var kind: String
        /// Random slot identifier (hex).
        public var id: String
        /// Argon2id parameters (passphrase slots).
        public var kdf: VaultKDFParameters?
    }
    public var path: String
    public var formatVersion: Int
    public var generation: UInt64
    public var slots: [Slot]
    public var fileSize: Int
    /// Mode bits of the vault file (0o600 expected).
    public var mode: UInt32
    public var backupExists: Bool
    public var backupGeneration: UInt64?
    /// The vault file is missing and the backup was read instead.
    public var readFromBackup: Bool
}

/// The unlocked vault: a random master key (wrapped by key slots) and the decrypted profiles.
/// Every change re-reads the file under the lock, applies the change and saves atomically, so
/// concurrent writers in several processes serialise instead of losing updates.
public final class Vault: @unchecked Sendable {
    /// The vault file.
    public let path: String
    /// True when the vault file was missing and `vault.bak` was opened instead; the next
    /// save writes the vault file again.
    public private(set) var openedFromBackup: Bool

    private let store: VaultStore
    private let master: SecureBytes
    private let lock = NSLock()
    private var file: VaultFile
    private var state: VaultContents
    /// Test hook called after each save step.
    var saveHook: ((VaultSaveStep) throws -> Void)?

    private init(path: String, master: SecureBytes, file: VaultFile, contents: VaultContents, fromBackup: Bool) {
        self.path = path
        self.store = VaultStore(path: path)
        self.master = master
        self.file = file
        self.state = contents
        self.openedFromBackup = fromBackup
    }

    // MARK: Location

    /// `$FICHIER_VAULT`, else `$XDG_CONFIG_HOME/fichier/vault`, else `~/.config/fichier/vault`.
    public static func defaultPath(environment: [String: String] = Vault.locationEnvironment) -> String {
        if let explicit = environment["FICHIER_VAULT"], !explicit.isEmpty { return explicit }
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/fichier/vault" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/fichier/vault"
    }

    /// The variables `defaultPath` looks at, read one by one.
    public static var locationEnvironment: [String: String] {
        var env: [String: String] = [:]
        for name in ["FICHIER_VAULT", "XDG_CONFIG_HOME", "HOME"] { env[name] = environmentValue(name) }
        return env
    }

    // MARK: Creating and opening

    /// Creates a new vault with one passphrase slot and one profile. Refuses to overwrite a
    /// vault or a backup, and refuses KDF parameters below the floor (19 MiB, 2 passes).
    public static func create(at path: String, passphrase: SecureBytes, kdf: VaultKDFParameters = .moderate,
                              profileName: String = "default") throws -> Vault {
        guard kdf.meetsFloor else {
            throw VaultError.invalidArgument("Argon2id parameters below the floor of 2 passes and 19 MiB")
        }
        return try create(at: path, passphrase: passphrase, kdf: kdf, profileName: profileName, allowWeakKDF: true)
    }

    static func create(at path: String, passphrase: SecureBytes, kdf: VaultKDFParameters, profileName: String,
                       allowWeakKDF: Bool) throws -> Vault {
        guard passphrase.count > 0 else { throw VaultError.invalidArgument("empty passphrase") }
        let store = VaultStore(path: path)
        let profile = try VaultProfile(name: profileName)
        let contents = VaultContents(profiles: [profile], defaultProfile: profileName)
        let master = SecureBytes(randomCount: 32, guardWhenIdle: true)
        let vaultID = AgeRandom.system.bytes(16)
        let salt = AgeRandom.system.bytes(VaultKDF.saltLength)
        let wrapKey = try VaultKDF.deriveKey(passphrase: passphrase, salt: salt, parameters: kdf)
        let slot = VaultSlot.make(kind: .passphrase, kdf: kdf, salt: salt, master: master, wrapKey: wrapKey, vaultID: vaultID)
        var file = VaultFile(vaultID: vaultID, generation: 1, slots: [slot])
        file.seal(VaultPayload.encode(contents), master: master)
        let vault = Vault(path: path, master: master, file: file, contents: contents, fromBackup: false)
        try store.withLock {
            if store.exists { throw VaultError.alreadyExists(path: path) }
            if store.backupExists {
                throw VaultError.invalidArgument("\(store.backupPath) exists: restore it with `fichier vault restore` or remove it first")
            }
            try store.write(file.serialized(), verify: vault.verifier, hook: nil)
        }
        return vault
    }

    /// Opens and unlocks the vault. Checks the file's checksum (→ `.corrupt`), then the KDF
    /// cap of every passphrase slot before running any KDF (→ `.kdfLimitExceeded`), then tries
    /// the slots (→ `.badSecret`; `.outOfMemory` when Argon2id cannot allocate).
    public static func open(at path: String, secret: VaultSecret, limits: VaultKDFLimits = .standard) throws -> Vault {
        let store = VaultStore(path: path)
        let (file, fromBackup) = try store.load()
        let master = try unlock(file, secret: secret, limits: limits)
        guard let plaintext = file.open(master: master) else {
            throw VaultError.corrupt("the payload does not authenticate")
        }
        let contents = try VaultPayload.decode(plaintext)
        return Vault(path: path, master: master, file: file, contents: contents, fromBackup: fromBackup)
    }

    private static func unlock(_ file: VaultFile, secret: VaultSecret, limits: VaultKDFLimits) throws -> SecureBytes {
        switch secret {
        case .passphrase(let passphrase):
            let slots = file.slots.filter { $0.kind == .passphrase }
            guard !slots.isEmpty else { throw VaultError.badSecret }
            var usable: [VaultSlot] = []
            var refusal: VaultError?
            for slot in slots {
                do {
                    try limits.check(slot.kdf!)
                    usable.append(slot)
                } catch {
                    refusal = error
                }
            }
            if usable.isEmpty, let refusal { throw refusal }
            for slot in usable {
                let wrapKey = try VaultKDF.deriveKey(passphrase: passphrase, salt: slot.salt, parameters: slot.kdf!)
                if let master = slot.unwrap(wrapKey: wrapKey, vaultID: file.vaultID) { return master }
            }
            throw VaultError.badSecret
        case .keyFile(let key):
            guard key.count == 32 else { throw VaultError.badKeyFile("a key must be 32 bytes") }
            for slot in file.slots where slot.kind == .keyFile {
                let wrapKey = VaultSlot.keyFileWrapKey(key, vaultID: file.vaultID, salt: slot.salt)
                if let master = slot.unwrap(wrapKey: wrapKey, vaultID: file.vaultID) { return master }
            }
            throw VaultError.badSecret
        }
    }

    /// Public facts about the vault at `path`, without unlocking it.
    public static func summary(at path: String) throws -> VaultSummary {
        let store = VaultStore(path: path)
        let (file, fromBackup) = try store.load()
        var info = stat()
        let mode: UInt32 = stat(fromBackup ? store.backupPath : path, &info) == 0 ? UInt32(info.st_mode & 0o7777) : 0
        var backupGeneration: UInt64?
        if !fromBackup, let backup = try? store.read(store.backupPath), let parsed = try? VaultFile.parse(backup) {
            backupGeneration = parsed.generation
        }
        return VaultSummary(
            path: path, formatVersion: Int(VaultFile.version), generation: file.generation,
            slots: file.slots.map { VaultSummary.Slot(kind: $0.kind == .passphrase ? "passphrase" : "key-file",
                                                      id: Hex.encode($0.slotID), kdf: $0.kdf) },
            fileSize: file.serialized().count, mode: mode, backupExists: store.backupExists,
            backupGeneration: backupGeneration, readFromBackup: fromBackup)
    }

    /// Copies `vault.bak` over the vault file (after checking the backup's integrity).
    public static func restoreBackup(at path: String) throws {
        let store = VaultStore(path: path)
        try store.withLock { try store.restoreBackup() }
    }

    // MARK: Reading

    /// A snapshot of the decrypted contents.
    public var contents: VaultContents {
        lock.lock(); defer { lock.unlock() }
        return state
    }

    /// The file generation this instance last read or wrote.
    public var generation: UInt64 {
        lock.lock(); defer { lock.unlock() }
        return file.generation
    }

    /// The named profile, or the default one.
    public func profile(named name: String? = nil) throws -> VaultProfile {
        try contents.profile(named: name)
    }

    // MARK: Changing

    /// Applies `change` to the current contents and saves. Runs under the file lock on a
    /// fresh read of the file, so changes made meanwhile by other processes are kept.
    public func update(_ change: (inout VaultContents) throws -> Void) throws {
        try mutate { _, contents in try change(&contents) }
    }

    /// Replaces every passphrase slot by one for `newPassphrase`. Note: `vault.bak` and any
    /// other old copy still open with the old passphrase.
    public func changePassphrase(to newPassphrase: SecureBytes, kdf: VaultKDFParameters = .moderate) throws {
        guard kdf.meetsFloor else { throw VaultError.invalidArgument("Argon2id parameters below the floor of 2 passes and 19 MiB") }
        try changePassphrase(to: newPassphrase, kdf: kdf, allowWeakKDF: true)
    }

    func changePassphrase(to newPassphrase: SecureBytes, kdf: VaultKDFParameters, allowWeakKDF: Bool) throws {
        guard newPassphrase.count > 0 else { throw VaultError.invalidArgument("empty passphrase") }
        let salt = AgeRandom.system.bytes(VaultKDF.saltLength)
        let wrapKey = try VaultKDF.deriveKey(passphrase: newPassphrase, salt: salt, parameters: kdf)
        try mutate { file, _ in
            let slot = VaultSlot.make(kind: .passphrase, kdf: kdf, salt: salt, master: master, wrapKey: wrapKey, vaultID: file.vaultID)
            file.slots.removeAll { $0.kind == .passphrase }
            file.slots.insert(slot, at: 0)
        }
    }

    /// Creates a key file (mode 0600, never overwriting) at `keyFilePath` and adds a slot
    /// for it. Returns the new slot's id.
    @discardableResult
    public func addKeyFile(at keyFilePath: String) throws -> String {
        let key = SecureBytes(randomCount: 32)
        let salt = AgeRandom.system.bytes(16)
        var slotID = ""
        try VaultKeyFile.create(path: keyFilePath, key: key)
        do {
            try mutate { file, _ in
                guard file.slots.count < VaultFile.maximumSlots else {
                    throw VaultError.invalidArgument("the vault already has \(VaultFile.maximumSlots) key slots")
                }
                let wrapKey = VaultSlot.keyFileWrapKey(key, vaultID: file.vaultID, salt: salt)
                let slot = VaultSlot.make(kind: .keyFile, kdf: nil, salt: salt, master: master, wrapKey: wrapKey, vaultID: file.vaultID)
                slotID = Hex.encode(slot.slotID)
                file.slots.append(slot)
            }
        } catch {
            unlink(keyFilePath)
            throw error
        }
        return slotID
    }

    /// Removes the slot with this id (hex); refuses to remove the last slot.
    public func removeSlot(id: String) throws {
        try mutate { file, _ in
            guard let index = file.slots.firstIndex(where: { Hex.encode($0.slotID) == id }) else {
                throw VaultError.invalidArgument("no key slot \(id)")
            }
            guard file.slots.count > 1 else { throw VaultError.invalidArgument("refusing to remove the last key slot") }
            file.slots.remove(at: index)
        }
    }

    private func mutate(_ change: (inout VaultFile, inout VaultContents) throws -> Void) throws {
        lock.lock(); defer { lock.unlock() }
        try store.withLock {
            let (disk, _) = try store.load()
            guard disk.vaultID == file.vaultID, let plaintext = disk.open(master: master) else {
                throw VaultError.changedConcurrently
            }
            var contents = try VaultPayload.decode(plaintext)
            var next = VaultFile(vaultID: disk.vaultID, generation: disk.generation + 1, slots: disk.slots)
            try change(&next, &contents)
            next.seal(VaultPayload.encode(contents), master: master)
            try store.write(next.serialized(), verify: verifier, hook: saveHook)
            file = next
            state = contents
            openedFromBackup = false
        }
    }

    /// Read-after-write check: the written file must open with the in-memory master key and
    /// decode.
    private func verifier(_ written: VaultFile) throws {
        guard let plaintext = written.open(master: master) else { throw VaultError.io("read-back verification failed") }
        _ = try VaultPayload.decode(plaintext)
    }
}

import CSodium
import Foundation

/// Argon2id parameters for a passphrase slot (libsodium 1.0.18: parallelism is fixed at 1).
public struct VaultKDFParameters: Sendable, Equatable {
    public var opsLimit: UInt32
    public var memLimit: UInt64

    public init(opsLimit: UInt32, memLimit: UInt64) {
        self.opsLimit = opsLimit
        self.memLimit = memLimit
    }

    /// libsodium MODERATE: 3 passes over 256 MiB (about 0.7 s on the reference machine). Default.
    public static let moderate = VaultKDFParameters(opsLimit: UInt32(crypto_pwhash_argon2id_OPSLIMIT_MODERATE),
                                                    memLimit: UInt64(crypto_pwhash_argon2id_MEMLIMIT_MODERATE))
    /// libsodium INTERACTIVE: 2 passes over 64 MiB (about 0.13 s), for small machines.
    public static let small = VaultKDFParameters(opsLimit: UInt32(crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE),
                                                 memLimit: UInt64(crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE))
    /// The floor for new slots (OWASP's Argon2id minimum: 19 MiB, t = 2).
    public static let floor = VaultKDFParameters(opsLimit: 2, memLimit: 19 * 1024 * 1024)
    /// Fast parameters below the floor, for tests only (not reachable from outside the module).
    static let testing = VaultKDFParameters(opsLimit: 1, memLimit: 64 * 1024)

    /// Named profiles for `vault init --kdf`.
    public static func profile(named name: String) -> VaultKDFParameters? {
        switch name {
        case "moderate": .moderate
        case "small": .small
        default: nil
        }
    }

    var meetsFloor: Bool { opsLimit >= Self.floor.opsLimit && memLimit >= Self.floor.memLimit }
}

/// The read-side cap: what a vault file may demand before the KDF runs (a tampered or hostile
/// file must not make an unlock allocate gigabytes or spin for minutes).
public struct VaultKDFLimits: Sendable, Equatable {
    public var maxOpsLimit: UInt32
    public var maxMemLimit: UInt64

    public init(maxOpsLimit: UInt32, maxMemLimit: UInt64) {
        self.maxOpsLimit = maxOpsLimit
        self.maxMemLimit = maxMemLimit
    }

    /// ops ≤ 10 and memory ≤ min(1 GiB, half the physical memory).
    public static var standard: VaultKDFLimits {
        let half = ProcessInfo.processInfo.physicalMemory / 2
        return VaultKDFLimits(maxOpsLimit: 10, maxMemLimit: min(1 << 30, max(half, 64 << 20)))
    }

    func check(_ parameters: VaultKDFParameters) throws(VaultError) {
        guard parameters.opsLimit >= 1, parameters.memLimit >= UInt64(crypto_pwhash_argon2id_MEMLIMIT_MIN) else {
            throw .corrupt("key slot has Argon2id parameters below libsodium's minimum")
        }
        guard parameters.opsLimit <= maxOpsLimit else {
            throw .kdfLimitExceeded("\(parameters.opsLimit) passes is above the limit of \(maxOpsLimit)")
        }
        guard parameters.memLimit <= maxMemLimit else {
            throw .kdfLimitExceeded("\(parameters.memLimit / (1024 * 1024)) MiB is above the limit of \(maxMemLimit / (1024 * 1024)) MiB")
        }
    }
}

/// Argon2id13 through `crypto_pwhash`.
enum VaultKDF {
    static let saltLength = Int(crypto_pwhash_SALTBYTES)

    /// A 32-byte wrap key; `.outOfMemory` when libsodium cannot allocate the memory
    /// (crypto_pwhash returns -1 only for that once the parameters are in range).
    static func deriveKey(passphrase: SecureBytes, salt: [UInt8], parameters: VaultKDFParameters) throws(VaultError) -> SecureBytes {
        precondition(salt.count == saltLength)
        Sodium.ensureInitialized()
        var status: Int32 = 0
        let key = SecureBytes(count: 32) { out in
            passphrase.withUnsafeBytes { pass in
                let chars = UnsafeRawPointer(pass.bytes).assumingMemoryBound(to: CChar.self)
                status = crypto_pwhash(out.bytes, 32, chars, UInt64(pass.count), salt,
                                       UInt64(parameters.opsLimit), Int(parameters.memLimit),
                                       crypto_pwhash_ALG_ARGON2ID13)
            }
        }
        Sodium.wipeStack()
        if status != 0 { throw .outOfMemory(bytes: parameters.memLimit) }
        return key
    }
}

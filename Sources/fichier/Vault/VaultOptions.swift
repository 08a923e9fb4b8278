import ArgumentParser
import FichierCrypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Options shared by every command that opens the vault, and the unlock logic, in one place
/// so the co-process commands can reuse it.
///
/// Unlock sources, first match wins:
///   1. `--passphrase-fd N`        2. `--passphrase-file F`      3. `--key-file F`
///   4. `FICHIER_PASSPHRASE_FILE`  5. `FICHIER_KEYFILE`          6. `FICHIER_PASSPHRASE` (least safe)
///   7. a prompt on /dev/tty with echo off.
struct VaultOptions: ParsableArguments {
    @Option(name: .customLong("vault"), help: ArgumentHelp("Vault file (default: $FICHIER_VAULT, else $XDG_CONFIG_HOME/fichier/vault).", valueName: "path"))
    var vaultPath: String?

    @Option(name: .long, help: ArgumentHelp("Read the vault passphrase from this inherited file descriptor.", valueName: "n"))
    var passphraseFd: Int32?

    @Option(name: .long, help: ArgumentHelp("Read the vault passphrase from this file.", valueName: "path"))
    var passphraseFile: String?

    @Option(name: .long, help: ArgumentHelp("Unlock with this key file (see `vault add-keyfile`).", valueName: "path"))
    var keyFile: String?

    @Option(name: .long, help: ArgumentHelp("Vault profile to use (default: the vault's default profile).", valueName: "name"))
    var profile: String?

    /// The vault file this command works on.
    var path: String {
        if let vaultPath, !vaultPath.isEmpty { return vaultPath }
        return Vault.defaultPath()
    }

    /// Where the unlock secret will come from, for messages.
    enum Source: Equatable {
        case descriptor(Int32), passphraseFile(String), keyFile(String), environmentPassphrase, terminal
    }

    /// The first configured non-interactive source, or the terminal.
    var source: Source {
        if let passphraseFd { return .descriptor(passphraseFd) }
        if let passphraseFile { return .passphraseFile(passphraseFile) }
        if let keyFile { return .keyFile(keyFile) }
        if let file = environmentValue("FICHIER_PASSPHRASE_FILE"), !file.isEmpty { return .passphraseFile(file) }
        if let file = environmentValue("FICHIER_KEYFILE"), !file.isEmpty { return .keyFile(file) }
        if getenv("FICHIER_PASSPHRASE") != nil { return .environmentPassphrase }
        return .terminal
    }

    /// Reads the secret from the configured source.
    func unlockSecret(prompt: String = "Vault passphrase: ") throws -> VaultSecret {
        switch source {
        case .descriptor(let fd):
            return .passphrase(try SecretInput.read(fileDescriptor: fd))
        case .passphraseFile(let file):
            return .passphrase(try SecretInput.read(path: file))
        case .keyFile(let file):
            return .keyFile(try VaultKeyFile.read(path: file))
        case .environmentPassphrase:
            return .passphrase(try Self.takeEnvironmentPassphrase())
        case .terminal:
            return .passphrase(try SecretInput.prompt(prompt))
        }
    }

    /// A new passphrase for `init`: from a non-interactive passphrase source if one is set,
    /// else asked twice on the terminal.
    func newPassphrase(what: String = "new vault passphrase") throws -> SecureBytes {
        switch source {
        case .keyFile:
            throw CLIError("a key file cannot set a passphrase; give a passphrase source or use the terminal")
        case .terminal:
            return try Self.askTwice(what: what)
        default:
            guard case .passphrase(let secret) = try unlockSecret() else { throw CLIError("no passphrase") }
            return secret
        }
    }

    static func askTwice(what: String) throws -> SecureBytes {
        let first = try SecretInput.prompt("Enter \(what): ")
        let second = try SecretInput.prompt("Repeat \(what): ")
        guard first.constantTimeEquals(second) else { throw CLIError("the passphrases do not match") }
        return first
    }

    /// Reads FICHIER_PASSPHRASE into secure memory, overwrites the environment copy in
    /// place and removes the variable so child processes cannot inherit it.
    static func takeEnvironmentPassphrase() throws -> SecureBytes {
        guard let raw = getenv("FICHIER_PASSPHRASE") else { throw CLIError("FICHIER_PASSPHRASE is not set") }
        let length = strlen(raw)
        let secret = SecureBytes(copying: UnsafeRawBufferPointer(start: raw, count: length))
        memset(raw, 0, length)
        unsetenv("FICHIER_PASSPHRASE")
        guard secret.count > 0 else { throw CLIError("FICHIER_PASSPHRASE is empty") }
        return secret
    }

    /// Opens and unlocks the vault, with a notice when only the backup was found.
    func openVault() throws -> Vault {
        let path = self.path
        guard FileManager.default.fileExists(atPath: path) || FileManager.default.fileExists(atPath: path + ".bak") else {
            throw VaultError.notFound(path: path)
        }
        let vault = try Vault.open(at: path, secret: try unlockSecret())
        if vault.openedFromBackup {
            Terminal.note("warning: \(path) is missing; opened the backup \(path).bak (run `fichier vault restore`)")
        }
        return vault
    }

    /// The selected profile of an open vault.
    func selectedProfile(of vault: Vault) throws -> VaultProfile {
        try vault.profile(named: profile)
    }

    /// Applies the process protections every secret-handling command starts with.
    static func harden() {
        ProcessHygiene.apply(allowDebugging: environmentValue("FICHIER_DEBUGGABLE") == "1")
    }
}

/// `on`/`off` switches for profile defaults.
enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on, off
    var value: Bool { self == .on }
}

/// `--kdf` profiles for new passphrase slots.
enum KDFProfile: String, ExpressibleByArgument, CaseIterable {
    case moderate, small
    var parameters: VaultKDFParameters { self == .small ? .small : .moderate }
}

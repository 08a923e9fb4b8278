import ArgumentParser
import FichierCrypto
#if canImport(Glibc)
import Glibc
#endif

/// `fichier vault set-key`: stores the 1fichier API key, read from the terminal without echo or
/// from stdin; never from the command line.
struct VaultSetKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-key",
        abstract: "Store the profile's 1fichier API key (read from the terminal or stdin, never argv).")

    @OptionGroup var options: VaultOptions

    @Flag(help: "Read the key from stdin even when it is a terminal.")
    var stdin = false

    @Flag(help: "Remove the stored key instead.")
    var remove = false

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault set-key") {
            if case .descriptor(0) = options.source, !remove, stdin || isatty(0) == 0 {
                throw CLIError("stdin cannot carry both the vault passphrase and the API key")
            }
            let vault = try options.openVault()
            let profileName = try options.selectedProfile(of: vault).name
            var key: SecureBytes?
            if !remove {
                let read = (stdin || isatty(0) == 0)
                    ? try SecretInput.read(fileDescriptor: 0, what: "API key")
                    : try SecretInput.prompt("1fichier API key for profile \(profileName): ", what: "API key")
                key = try Self.validated(read)
            }
            try vault.update { contents in
                try contents.updateProfile(named: profileName) { $0.apiKey = key }
            }
            Terminal.note(remove ? "API key removed from profile \(profileName)" : "API key stored in profile \(profileName)")
        }
    }

    /// Trims surrounding whitespace; refuses control characters and inner spaces. Warns when
    /// the key does not look like a 1fichier key (32 characters of [A-Za-z0-9-_=]).
    static func validated(_ raw: SecureBytes) throws -> SecureBytes {
        let trimmed = raw.withUnsafeBytes { bytes -> SecureBytes in
            var slice = bytes[...]
            while let first = slice.first, first == 0x20 || first == 0x09 || first == 0x0D || first == 0x0A { slice = slice.dropFirst() }
            while let last = slice.last, last == 0x20 || last == 0x09 || last == 0x0D || last == 0x0A { slice = slice.dropLast() }
            return SecureBytes(copying: UnsafeRawBufferPointer(rebasing: slice))
        }
        let (printable, usual) = trimmed.withUnsafeBytes { bytes in
            (bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F },
             bytes.count == 32 && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x3D })
        }
        guard trimmed.count > 0 else { throw CLIError("empty API key") }
        guard printable else { throw CLIError("the API key contains spaces or control characters") }
        if !usual { Terminal.note("warning: this does not look like a 1fichier API key (32 characters of A-Z a-z 0-9 - _ =); stored anyway") }
        return trimmed
    }
}

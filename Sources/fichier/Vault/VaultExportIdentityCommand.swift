import ArgumentParser
import FichierCrypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `fichier vault export-identity`: the profile's age identity in age-keygen's format, so the
/// stock `age -d -i` can decrypt the user's files without fichier.
struct VaultExportIdentityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-identity",
        abstract: "Print the profile's AGE-SECRET-KEY-1… identity (for `age -d -i`). Handle with care.")

    @OptionGroup var options: VaultOptions

    @Option(name: [.short, .long], help: "Write to this file (created with mode 0600, never overwritten) instead of stdout.")
    var output: String?

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault export-identity") {
            let vault = try options.openVault()
            let profile = try options.selectedProfile(of: vault)
            Terminal.note("warning: this is the SECRET key of profile \(profile.name); whoever holds it can decrypt every file encrypted to \(profile.recipient.encoded)")
            let header = "# fichier profile: \(profile.name)\n# public key: \(profile.recipient.encoded)\n"
            let secret = profile.identity.encoded()
            let fd: Int32
            if let output {
                fd = open(output, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw CLIError("cannot create \(output): \(String(cString: strerror(errno)))", kind: "local_io") }
                _ = fchmod(fd, 0o600)
            } else {
                fd = 1
            }
            defer { if output != nil { close(fd) } }
            var ok = Self.write(fd, Array(header.utf8))
            ok = ok && secret.withUnsafeBytes { Self.write(fd, $0) } && Self.write(fd, [0x0A])
            guard ok else { throw CLIError("could not write the identity", kind: "local_io") }
        }
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { write(fd, $0) }
    }

    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}

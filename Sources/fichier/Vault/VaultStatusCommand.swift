import ArgumentParser
import FichierCrypto
import FichierRPC
import Foundation

/// `fichier vault status`: public facts about the vault; never prints a secret.
struct VaultStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the vault's location, generation, key slots and backup (no secrets).")

    @OptionGroup var options: VaultOptions

    @Flag(help: "Also unlock the vault and list its profiles (names and recipients only).")
    var unlock = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault status") {
            let path = options.path
            let summary: VaultSummary
            do {
                summary = try Vault.summary(at: path)
            } catch VaultError.notFound {
                if json {
                    Terminal.out(#"{"path":\#(Self.quote(path)),"exists":false}"# + "\n")
                } else {
                    Terminal.out("vault: \(path)\nstate: not created (run `fichier vault init`)\n")
                }
                throw ExitCode(RPCErrorCode.vaultMissing.exitCode)
            }
            var profiles: [VaultProfile] = []
            var defaultProfile: String?
            if unlock {
                let vault = try options.openVault()
                profiles = vault.contents.profiles
                defaultProfile = vault.contents.defaultProfile
            }
            if json {
                Terminal.out(Self.json(summary, profiles: profiles, defaultProfile: defaultProfile) + "\n")
            } else {
                Terminal.out(Self.text(summary, profiles: profiles, defaultProfile: defaultProfile))
            }
        }
    }

    static func text(_ s: VaultSummary, profiles: [VaultProfile], defaultProfile: String?) -> String {
        var out = "vault: \(s.path)\n"
        out += "state: \(s.readFromBackup ? "MISSING (backup present: run `fichier vault restore`)" : "present"), format v\(s.formatVersion), generation \(s.generation), \(s.fileSize) bytes, mode \(String(s.mode, radix: 8))\n"
        if s.mode & 0o077 != 0 { out += "warning: the vault file is accessible by group or others\n" }
        out += "backup: \(s.backupExists ? "present" + (s.backupGeneration.map { " (generation \($0))" } ?? "") : "none")\n"
        out += "key slots:\n"
        for slot in s.slots {
            if let kdf = slot.kdf {
                out += "  \(slot.id)  passphrase  Argon2id \(kdf.opsLimit) passes, \(kdf.memLimit / (1024 * 1024)) MiB\n"
            } else {
                out += "  \(slot.id)  key-file\n"
            }
        }
        if !profiles.isEmpty {
            out += "profiles:\n"
            for p in profiles {
                out += "  \(p.name)\(p.name == defaultProfile ? " (default)" : "")  api key: \(p.apiKey == nil ? "not set" : "set")  recipient: \(p.recipient.encoded)\n"
            }
        }
        return out
    }

    static func json(_ s: VaultSummary, profiles: [VaultProfile], defaultProfile: String?) -> String {
        let slots = s.slots.map { slot -> String in
            var fields = [#""id":\#(quote(slot.id))"#, #""kind":\#(quote(slot.kind))"#]
            if let kdf = slot.kdf { fields += [#""opsLimit":\#(kdf.opsLimit)"#, #""memLimit":\#(kdf.memLimit)"#] }
            return "{" + fields.joined(separator: ",") + "}"
        }
        var fields = [
            #""path":\#(quote(s.path))"#, #""exists":true"#, #""readFromBackup":\#(s.readFromBackup)"#,
            #""formatVersion":\#(s.formatVersion)"#, #""generation":\#(s.generation)"#, #""size":\#(s.fileSize)"#,
            #""mode":\#(quote(String(s.mode, radix: 8)))"#, #""backup":\#(s.backupExists)"#,
            #""slots":[\#(slots.joined(separator: ","))]"#,
        ]
        if !profiles.isEmpty {
            let list = profiles.map {
                #"{"name":\#(quote($0.name)),"default":\#($0.name == defaultProfile),"apiKeySet":\#($0.apiKey != nil),"recipient":\#(quote($0.recipient.encoded))}"#
            }
            fields.append(#""profiles":[\#(list.joined(separator: ","))]"#)
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func quote(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

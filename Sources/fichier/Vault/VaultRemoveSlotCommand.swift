import ArgumentParser
import FichierCrypto

/// `fichier vault remove-slot ID`: revokes a key slot (e.g. a lost key file).
struct VaultRemoveSlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-slot",
        abstract: "Remove a key slot by its id (see `vault status`); the last slot cannot be removed.")

    @OptionGroup var options: VaultOptions

    @Argument(help: "Slot id (16 hex digits).")
    var id: String

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault remove-slot") {
            let vault = try options.openVault()
            try vault.removeSlot(id: id)
            Terminal.note("slot \(id) removed. Note: \(vault.path).bak still contains it until the next save")
        }
    }
}

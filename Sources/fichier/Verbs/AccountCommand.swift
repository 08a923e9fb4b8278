import ArgumentParser
import FichierAPI

/// `fichier account`: `account/info`.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Show the account: offer, storage, flags (account/info).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await OneShot.run(connection: connection, output: output) { run in
            guard let result = await run.call("account/info", [:]) else { return }
            run.emit(result) {
                let storage = result["storage"]
                var used = "\(HumanFormat.size(storage?["coldUsed"])) used"
                if storage?["coldAllowed"]?.int64Value != nil {
                    used += " of \(HumanFormat.size(storage?["coldAllowed"])) (\(HumanFormat.size(storage?["coldAvailable"])) available)"
                }
                let offer = result["offer"]
                return HumanFormat.fields([
                    ("email", result["email"]?.stringValue ?? "-"),
                    ("offer", "\(offer?["name"]?.stringValue ?? "?") (\(offer?["code"]?.intValue.map(String.init) ?? "?"))"),
                    ("premium", HumanFormat.yesNo(result["premium"])),
                    ("subscription end", HumanFormat.date(result["subscriptionEnd"])),
                    ("cold storage", used),
                    ("hot storage", HumanFormat.size(storage?["hotUsed"])),
                    ("CDN credits", result["cdnCredits"]?.doubleValue.map { "\($0) GB" } ?? "-"),
                    ("upload", result["uploadForbidden"]?.boolValue == true ? "forbidden" : "allowed"),
                    ("over quota", HumanFormat.yesNo(result["overquota"])),
                ])
            }
        }
    }
}

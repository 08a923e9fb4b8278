import ArgumentParser
import FichierAPI

/// `fichier remote-status [ID]`: `transfer/remote/status`.
struct RemoteStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote-status", abstract: "Show remote uploads: one in detail, or all (transfer/remote/status).")

    @Argument(help: "A remote-upload id.")
    var id: Int?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let params: JSONValue = id.map { ["id": .integer(Int64($0))] } ?? [:]
        try await OneShot.run(connection: connection, output: output) { run in
            guard let result = await run.call("transfer/remote/status", params) else { return }
            run.emit(result) {
                if let tasks = result["tasks"]?.arrayValue {
                    if tasks.isEmpty { return "no remote uploads" }
                    return tasks.map { task in
                        let state = task["done"]?.boolValue == true ? "done" : "pending"
                        return "\(task["id"]?.intValue ?? 0)  \(state)  requested \(HumanFormat.date(task["requestedAt"]))"
                    }.joined(separator: "\n")
                }
                var lines = ["remote upload \(result["id"]?.intValue ?? 0): " + (result["done"]?.boolValue == true ? "done" : "pending")]
                for item in result["results"]?.arrayValue ?? [] {
                    let outcome = item["ok"]?.boolValue == true
                        ? (item["fileURL"]?.stringValue ?? "ok") : "failed: \(item["message"]?.stringValue ?? "")"
                    lines.append("  \(item["url"]?.stringValue ?? "?") -> \(outcome)")
                }
                return lines.joined(separator: "\n")
            }
        }
    }
}

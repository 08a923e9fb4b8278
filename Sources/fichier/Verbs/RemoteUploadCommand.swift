import Foundation
import ArgumentParser
import FichierAPI

/// `fichier remote-upload URL… [--to FOLDER]`: `transfer/remote`.
struct RemoteUploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote-upload", abstract: "Ask 1fichier to fetch URLs into the account (transfer/remote).")

    @Argument(help: "URLs for 1fichier to fetch.")
    var urls: [String]

    @Option(name: .customLong("to"), help: "Destination folder path (made if missing).")
    var to: String = "/"

    @Option(name: .customLong("header"), help: "An HTTP header sent with each fetch, \"Name: value\" (repeatable).")
    var headers: [String] = []

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !urls.isEmpty else { throw ValidationError("give at least one URL") }
        for header in headers where !header.contains(":") {
            throw ValidationError("--header expects \"Name: value\", got \(header)")
        }
    }

    func run() async throws {
        var headerObject: [String: JSONValue] = [:]
        for header in headers {
            let parts = header.split(separator: ":", maxSplits: 1)
            headerObject[parts[0].trimmingCharacters(in: .whitespaces)] =
                .string(parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        var params: [String: JSONValue] = ["urls": .array(urls.map(JSONValue.string)), "to": .string(to)]
        if !headerObject.isEmpty { params["headers"] = .object(headerObject) }
        try await OneShot.run(connection: connection, output: output) { run in
            guard let result = await run.call("transfer/remote", .object(params)) else { return }
            run.emit(result) { "remote upload \(result["id"]?.intValue ?? 0) queued into \(result["to"]?.stringValue ?? to)" }
        }
    }
}

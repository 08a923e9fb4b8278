import ArgumentParser
import FichierAPI

/// Shared by `mv` and `cp`: sources (paths or URLs) into a remote folder.
struct MoveCopyArguments: ParsableArguments {
    @Argument(help: "Remote paths or file URLs, then the destination folder path.")
    var items: [String]

    @Option(name: .customLong("rename"), help: "A new name (one source only).")
    var rename: String?

    func validate() throws {
        guard items.count >= 2 else { throw ValidationError("give at least one source and a destination folder") }
        if rename != nil && items.count != 2 { throw ValidationError("--rename takes exactly one source") }
    }

    /// One call per path, one for all URLs.
    var calls: [[String: JSONValue]] {
        let destination = items[items.count - 1]
        let sources = Array(items.dropLast())
        let urls = sources.filter(RemoteArgument.isURL)
        var calls: [[String: JSONValue]] = sources.filter { !RemoteArgument.isURL($0) }.map { ["path": .string($0)] }
        if urls.count == 1 { calls.append(["url": .string(urls[0])]) }
        if urls.count > 1 { calls.append(["urls": .array(urls.map(JSONValue.string))]) }
        return calls.map { call in
            var params = call
            params["to"] = .string(destination)
            if let rename { params["rename"] = .string(rename) }
            return params
        }
    }

    /// Runs `method` (`fs/move` or `fs/copy`) for every call, reporting each item as `verb`.
    func run(_ method: String, verb: String, connection: ConnectionOptions, output: OutputOptions) async throws {
        let calls = calls
        try await OneShot.run(connection: connection, output: output) { run in
            await run.each(calls) { params in
                guard let result = await run.call(method, .object(params)) else { return }
                run.emit(result) { Self.human(result, verb: verb) }
            }
        }
    }

    static func human(_ result: JSONValue, verb: String) -> String {
        (result["items"]?.arrayValue ?? []).map { item in
            let from = item["from"]?.stringValue ?? "?"
            let to = item["path"]?.stringValue ?? item["url"]?.stringValue ?? result["to"]?.stringValue ?? "?"
            return "\(verb) \(from) -> \(to)"
        }.joined(separator: "\n")
    }
}

/// `fichier mv SOURCE… FOLDER [--rename NAME]`: `fs/move`.
struct MoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mv", abstract: "Move files or folders into a folder (fs/move).")

    @OptionGroup var arguments: MoveCopyArguments
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await arguments.run("fs/move", verb: "moved", connection: connection, output: output)
    }
}

/// `fichier cp SOURCE… FOLDER [--rename NAME]`: `fs/copy`.
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp", abstract: "Copy files or folders into a folder, on 1fichier's side (fs/copy).")

    @OptionGroup var arguments: MoveCopyArguments
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await arguments.run("fs/copy", verb: "copied", connection: connection, output: output)
    }
}

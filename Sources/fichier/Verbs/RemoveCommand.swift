import ArgumentParser
import FichierAPI

/// `fichier rm PATH|URL…`: `fs/delete` (URLs in one call, each path in its own).
struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Delete files by path or URL (fs/delete); folders: rmdir.")

    @Argument(help: "Remote file paths or file URLs.")
    var targets: [String]

    @Flag(name: .customLong("must-exist"), help: "Fail (exit 4) when a file is already gone, instead of reporting it.")
    var mustExist = false

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !targets.isEmpty else { throw ValidationError("give at least one path or URL") }
    }

    func run() async throws {
        let urls = targets.filter(RemoteArgument.isURL)
        let paths = targets.filter { !RemoteArgument.isURL($0) }
        var calls: [[String: JSONValue]] = paths.map { ["path": .string($0)] }
        if urls.count == 1 { calls.append(["url": .string(urls[0])]) }
        if urls.count > 1 { calls.append(["urls": .array(urls.map(JSONValue.string))]) }
        let missingOk = !mustExist
        try await OneShot.run(connection: connection, output: output) { run in
            await run.each(calls) { call in
                var params = call
                params["missingOk"] = .bool(missingOk)
                guard let result = await run.call("fs/delete", .object(params)) else { return }
                run.emit(result) {
                    var lines = (result["urls"]?.arrayValue ?? []).compactMap(\.stringValue).map { url in
                        "removed " + (call["path"]?.stringValue ?? url)
                    }
                    lines += (result["missing"]?.arrayValue ?? []).compactMap(\.stringValue).map { "already gone " + $0 }
                    return lines.joined(separator: "\n")
                }
            }
        }
    }
}

import Foundation
@testable import FichierEmulator

/// Starts an emulator on a free port with a fresh data directory, runs a body, stops it.
enum EmulatorHarness {
    static let key = "emulator-test-key-0123456789abcdef"

    static func configuration(_ change: (inout EmulatorConfiguration) -> Void = { _ in }) -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration(apiKeys: [key])
        change(&configuration)
        return configuration
    }

    static func with<T>(_ configuration: EmulatorConfiguration = configuration(),
                        _ body: (Emulator) async throws -> T) async throws -> T {
        let emulator = Emulator(configuration)
        try await emulator.start()
        do {
            let result = try await body(emulator)
            await emulator.stop()
            return result
        } catch {
            await emulator.stop()
            throw error
        }
    }

    /// A fresh directory under the system temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fichier-emu-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Uploads through the node the way the reference's curl example does.
struct NodeUpload {
    var status: Int
    var location: String?
    var xid: String?
    var body: String

    static func run(_ emulator: Emulator, files: [String], folder: Int? = 0, key: String? = EmulatorHarness.key,
                    extra: [String] = []) async throws -> NodeUpload {
        var serverArguments = ["-X", "POST", "\(emulator.apiURL)/upload/get_upload_server.cgi",
                               "-H", "Content-Type: application/json", "-d", "{}"]
        if let key { serverArguments += ["-H", "Authorization: Bearer \(key)"] }
        let server = try await Curl.run(serverArguments).json()
        guard let node = server["url"] as? String, let id = server["id"] as? String else {
            throw Curl.CurlError("bad get_upload_server answer: \(server)")
        }
        var arguments = files.flatMap { ["-F", "file[]=@\($0)"] }
        if let folder { arguments += ["-F", "did=\(folder)"] }
        if let key { arguments += ["-H", "Authorization: Bearer \(key)"] }
        let result = try await Curl.run(arguments + extra + ["http://\(node)/upload.cgi?id=\(id)"])
        let location = result.headers["location"]
        let xid = location.flatMap { $0.components(separatedBy: "xid=").last }
        return NodeUpload(status: result.status, location: location, xid: xid, body: result.text)
    }
}

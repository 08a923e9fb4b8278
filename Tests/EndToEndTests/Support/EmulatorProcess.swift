import Foundation

/// `fichier emulator …` as a child process, for tests that need the service in another
/// process (large transfers, seeded folders).
final class EmulatorProcess: @unchecked Sendable {
    let child: Spawned
    let baseURL: String
    let key = "e2ekey0123456789abcdefghijklmnop"

    init(_ extra: [String] = []) async throws {
        child = try Spawned(["emulator", "--port", "0", "--key", key] + extra)
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            if let line = child.errors.all.first(where: { $0.contains("listening on ") }),
               let range = line.range(of: "listening on ") {
                baseURL = String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
                break
            }
            if ContinuousClock.now > deadline || child.errors.isEnded {
                throw TestFailure("the emulator did not start: \(child.errors.text)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    var apiURL: String { baseURL + "/v1" }

    /// `fichier serve` against this emulator, unpaced.
    func serve(_ extra: [String] = []) throws -> ServeSession {
        try ServeSession(["--api-url", apiURL, "--pace", "0"] + extra, environment: ["FICHIER_API_KEY": key])
    }

    func stop() async {
        child.process.interrupt()
        _ = try? await child.exitStatus()
    }
}

import Foundation

/// `fichier serve …` as a child, with helpers to call methods and record what was sent.
final class ServeSession: @unchecked Sendable {
    let child: Spawned
    private let lock = NSLock()
    private var sentLines: [String] = []
    private var nextID = 0

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        child = try Spawned(["serve"] + arguments, environment: environment)
    }

    /// `fichier serve --sandbox DIR`.
    static func sandbox(_ directory: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> ServeSession {
        try ServeSession(["--sandbox", directory] + extra, environment: environment)
    }

    var sent: [String] { lock.withLock { sentLines } }
    var output: OutputLines { child.output }

    func send(_ line: String) {
        lock.withLock { sentLines.append(line) }
        child.send(line)
    }

    /// Sends a request with a fresh integer id; returns the id.
    @discardableResult
    func request(_ method: String, _ params: String? = nil) -> Int {
        let id = lock.withLock { nextID += 1; return nextID }
        send(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "") + "}")
        return id
    }

    /// Sends a request and waits for its terminal response.
    func call(_ method: String, _ params: String? = nil, timeout: Duration = .seconds(60)) async throws -> JSONMessage {
        let id = request(method, params)
        return try await output.response(id, timeout: timeout)
    }

    func result(_ method: String, _ params: String? = nil) async throws -> [String: Any] {
        let response = try await call(method, params)
        guard let result = response.result else { throw TestFailure("\(method) failed: \(response.line)") }
        return result
    }

    /// Closes stdin and waits for the exit status.
    func finish() async throws -> Int32 {
        child.closeInput()
        return try await child.exitStatus()
    }
}

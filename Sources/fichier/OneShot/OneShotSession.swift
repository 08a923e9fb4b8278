import FichierAPI
import FichierRPC
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-shot command's line to the dispatcher: an `RPCServer` in this process, spoken to
/// over a pair of pipes exactly as `fichier serve` is over stdin/stdout. The verbs are
/// therefore the protocol's methods, with the same params checks, errors and events.
final class OneShotSession: @unchecked Sendable {
    enum Reply: Sendable {
        case result(JSONValue)
        /// The error and the error object as the server wrote it.
        case failure(RPCError, JSONValue)
    }

    private let server: RPCServer
    private let toServer: Int32
    private let fromServer: Int32
    private let serverInput: Int32
    private let serverOutput: Int32
    private let onEvent: @Sendable (String, JSONValue, String) -> Void
    private var labels: [Int64: String] = [:]
    private let lock = NSLock()
    private var pending: [Int64: CheckedContinuation<Reply, Never>] = [:]
    private var early: [Int64: Reply] = [:]
    private var nextID: Int64 = 0
    private var readerDone = false
    private var serverTask: Task<Int32, Never>?

    /// - Parameter onEvent: every `event/*` notification (method, params, the label of its
    ///   request), on the reader thread.
    init(methods: MethodRegistry, configuration: ServerConfiguration, logger: Logger,
         onEvent: @escaping @Sendable (String, JSONValue, String) -> Void) throws {
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0 else {
            throw ConnectionError("cannot create pipes: \(String(cString: strerror(errno)))")
        }
        serverInput = input[0]
        toServer = input[1]
        fromServer = output[0]
        serverOutput = output[1]
        self.onEvent = onEvent
        server = RPCServer(input: serverInput, output: serverOutput, configuration: configuration,
                           methods: methods, logger: logger)
        let server = self.server
        serverTask = Task { await server.run() }
        let thread = Thread { [self] in readLoop() }
        thread.start()
    }

    /// Sends one request and waits for its terminal response. Calls may overlap (they are
    /// pipelined, like any client's).
    func call(_ method: String, _ params: JSONValue, label: String = "") async -> Reply {
        let id: Int64 = lock.withLock {
            nextID += 1
            labels[nextID] = label
            return nextID
        }
        defer { lock.withLock { labels[id] = nil } }
        let request: JSONValue = ["jsonrpc": "2.0", "id": .integer(id), "method": .string(method), "params": params]
        var line = request.serialized()
        line.append(0x0A)
        return await withCheckedContinuation { (continuation: CheckedContinuation<Reply, Never>) in
            let ready: Reply? = lock.withLock {
                if let reply = early.removeValue(forKey: id) { return reply }
                if readerDone { return Self.lostReply }
                pending[id] = continuation
                return nil
            }
            if let ready {
                continuation.resume(returning: ready)
                return
            }
            write(line)
        }
    }

    /// Ends the session: the server sees EOF, finishes and returns.
    func close() async {
        Glibc.close(toServer)
        _ = await serverTask?.value
        Glibc.close(serverOutput)
    }

    private static let lostReply = Reply.failure(
        RPCError(.internalError, "the in-process server ended without answering"), .null)

    private func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(toServer, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var line: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fromServer, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            var start = 0
            for index in 0..<count where buffer[index] == 0x0A {
                line.append(contentsOf: buffer[start..<index])
                handle(line)
                line.removeAll(keepingCapacity: true)
                start = index + 1
            }
            line.append(contentsOf: buffer[start..<count])
        }
        Glibc.close(fromServer)
        let orphans: [CheckedContinuation<Reply, Never>] = lock.withLock {
            readerDone = true
            defer { pending.removeAll() }
            return Array(pending.values)
        }
        orphans.forEach { $0.resume(returning: Self.lostReply) }
    }

    private func handle(_ line: [UInt8]) {
        guard let message = try? JSONValue.parse(line), message.objectValue != nil else { return }
        if let method = message["method"]?.stringValue {
            let params = message["params"] ?? .null
            let label = params["requestId"]?.int64Value.flatMap { id in lock.withLock { labels[id] } } ?? ""
            onEvent(method, params, label)
            return
        }
        guard let id = message["id"]?.int64Value else { return }
        let reply: Reply
        if let result = message["result"] {
            reply = .result(result)
        } else if let error = message["error"] {
            reply = .failure(Self.rpcError(from: error), error)
        } else {
            return
        }
        let waiter: CheckedContinuation<Reply, Never>? = lock.withLock {
            if let waiter = pending.removeValue(forKey: id) { return waiter }
            early[id] = reply
            return nil
        }
        waiter?.resume(returning: reply)
    }

    /// The error object as an `RPCError` (enough for messages and exit statuses).
    static func rpcError(from json: JSONValue) -> RPCError {
        let data = json["data"]
        var detail = ErrorData(kind: data?["kind"]?.stringValue ?? "internal_error",
                               retryable: data?["retryable"]?.boolValue ?? false,
                               retryAfterMs: data?["retryAfterMs"]?.intValue)
        detail.path = data?["path"]?.stringValue
        detail.subject = data?["subject"]?.stringValue
        if let provider = data?["provider"] {
            detail.provider = ProviderDetail(httpStatus: provider["httpStatus"]?.intValue, code: provider["code"]?.intValue,
                                             message: provider["message"]?.stringValue)
        }
        return RPCError(code: json["code"]?.intValue ?? RPCErrorCode.internalError.rawValue,
                        message: json["message"]?.stringValue ?? "unknown error", data: detail)
    }
}

import FichierAPI
import Foundation
import Logging

/// Turns input lines into work, on the reader thread and in arrival order: envelope
/// checks, session state, method lookup, params decoding, then either an immediate answer
/// or a task in the `ServerCore`.
final class Dispatcher: LineReaderDelegate, @unchecked Sendable {
    private let core: ServerCore
    private let methods: MethodRegistry
    // Used on the reader thread only.
    private let decoder = JSONDecoder()

    /// Notifications that cancel a request: ours, LSP's and MCP's.
    static let cancelMethods: Set<String> = ["$/cancel", "$/cancelRequest", "notifications/cancelled"]

    init(core: ServerCore, methods: MethodRegistry) {
        self.core = core
        self.methods = methods
    }

    func reader(receivedLine line: UnsafeBufferPointer<UInt8>) {
        switch EnvelopeParser.parse(line) {
        case .success(.blank):
            return
        case .success(.notification(let method, let params)):
            handleNotification(method, params: params, line: line)
        case .success(.request(let id, let method, let params)):
            handleRequest(id: id, method: method, params: params, line: line)
        case .failure(let rejection):
            core.logger.debug("rejected line: \(rejection.message)")
            core.reject(id: rejection.id, rejection.rpcError)
        }
    }

    func reader(rejectedOverlongLine prefix: UnsafeBufferPointer<UInt8>) {
        let id = EnvelopeParser.idFromPrefix(prefix)
        core.logger.warning("rejected a line longer than \(core.configuration.maxLineBytes) bytes")
        core.reject(id: id, RPCError(.invalidRequest,
                                     "line longer than maxLineBytes (\(core.configuration.maxLineBytes))",
                                     kind: "line_too_long"))
    }

    func readerReachedEnd(partialBytes: Int, error: Int32?) {
        if partialBytes > 0 {
            core.logger.warning("input ended inside a line: \(partialBytes) byte(s) without a final LF were ignored")
        }
        if let error {
            core.logger.error("reading input failed (errno \(error)); treating it as end of input")
        }
        core.beginEnding(.endOfInput)
    }

    // MARK: Notifications

    private struct CancelParams: Decodable {
        var id: RequestID?
        var requestId: RequestID?
    }

    private func handleNotification(_ method: String, params: Range<Int>?, line: UnsafeBufferPointer<UInt8>) {
        guard Self.cancelMethods.contains(method) else {
            core.logger.debug("ignored notification \(method)")
            return
        }
        guard let decoded = try? ParamsDecoding.decode(CancelParams.self, from: line, range: params, decoder: decoder),
              let target = decoded.id ?? decoded.requestId else {
            core.logger.debug("ignored \(method) without a usable id")
            return
        }
        core.cancel(target)
    }

    // MARK: Requests

    private func handleRequest(id: RequestID, method: String, params: Range<Int>?, line: UnsafeBufferPointer<UInt8>) {
        enum Gate { case open, duplicate, shuttingDown, notInitialized }
        let gate: Gate = core.table.withLock { table in
            if table.shuttingDown { return .shuttingDown }
            if table.entries[id] != nil || table.shutdownPending == id { return .duplicate }
            if core.configuration.requireInitialize && !table.initialized && method != "initialize" {
                return .notInitialized
            }
            return .open
        }
        switch gate {
        case .open: break
        case .shuttingDown:
            core.reject(id: id, RPCError(.shuttingDown))
            return
        case .duplicate:
            core.reject(id: id, RPCError(.invalidRequest, "a request with id \(id) is still running",
                                         kind: "duplicate_id"))
            return
        case .notInitialized:
            core.reject(id: id, RPCError(.notInitialized))
            return
        }

        guard let entry = methods.entry(method) else {
            core.reject(id: id, RPCError(.methodNotFound, "unknown method \(method)"))
            return
        }
        switch entry.body {
        case .immediate(let run):
            do {
                let result = try run(line, params, decoder, id)
                core.writer.send { OutgoingMessage.appendResult(id: id, result: result, to: &$0) }
            } catch {
                core.reject(id: id, RPCError.from(error, cancelled: false))
            }
        case .task(let kind, let prepare):
            do throws(RPCError) {
                let call = try prepare(line, params, decoder)
                core.start(id: id, method: method, kind: kind, call: call)
            } catch {
                core.reject(id: id, error)
            }
        case .shutdown:
            do throws(RPCError) {
                let request = try ParamsDecoding.decode(ShutdownParams.self, from: line, range: params, decoder: decoder)
                core.beginShutdown(id: id, cancel: request.mode == .cancel,
                                   timeout: request.timeoutMs.map { .milliseconds($0) },
                                   exitAfter: request.exit ?? false)
            } catch {
                core.reject(id: id, error)
            }
        }
    }
}

import Foundation

/// A decoded request, ready to run: its ordering keys and the handler bound to its params.
struct PreparedCall: Sendable {
    var keys: [OrderingKey]
    var invoke: @Sendable (RequestContext) async throws -> [UInt8]
}

/// One registered method, type-erased.
struct MethodEntry: Sendable {
    enum Body: Sendable {
        /// Answered on the reader thread, in arrival order, outside `maxInFlight`
        /// (session methods such as `ping`; they must never block).
        case immediate(@Sendable (_ line: UnsafeBufferPointer<UInt8>, _ params: Range<Int>?,
                                  _ decoder: JSONDecoder, _ id: RequestID) throws -> [UInt8])
        /// Decoded on the reader thread, run as its own task.
        case task(MethodKind, @Sendable (_ line: UnsafeBufferPointer<UInt8>, _ params: Range<Int>?,
                                          _ decoder: JSONDecoder) throws(RPCError) -> PreparedCall)
        /// `shutdown`, run by the server itself.
        case shutdown
    }

    var body: Body
}

/// The methods a server answers, by name. The composer (`fichier serve`) registers the
/// 1fichier methods; `RPCServer` adds the session methods (`initialize`, `ping`,
/// `shutdown`, `logging/setLevel`).
public struct MethodRegistry: Sendable {
    var entries: [String: MethodEntry] = [:]

    public init() {}

    /// Registers `name`. Params are decoded before the handler runs: a missing or mistyped
    /// field is answered with -32602 naming it, unknown fields are ignored, absent params
    /// decode as `{}`. The result is encoded with `JSONEncoder` (dates as ISO 8601).
    ///
    /// - Parameters:
    ///   - kind: `.transfer` counts against `maxTransfers` and queues beyond it.
    ///   - orderedBy: keys (for example the remote paths a mutation touches) computed from
    ///     the params when the request arrives; requests sharing a key run one after the
    ///     other in arrival order, the others in parallel.
    ///   - handler: runs in its own task; cancellation (`$/cancel`, shutdown, EOF) cancels
    ///     that task. Throw `RPCError` or an `RPCErrorConvertible`; anything else is -32603.
    public mutating func register<P: Decodable & Sendable, R: Encodable & Sendable>(
        _ name: String, kind: MethodKind = .call,
        orderedBy keys: (@Sendable (P) -> [String])? = nil,
        _ handler: @escaping @Sendable (P, RequestContext) async throws -> R
    ) {
        var ordering: (@Sendable (P) throws -> [OrderingKey])?
        if let keys {
            ordering = { @Sendable params in keys(params).map { OrderingKey.exclusive($0) } }
        }
        register(name, kind: kind, ordering: ordering, handler)
    }

    /// Registers `name` with ordering keys that may be shared (see `OrderingKey`), computed
    /// from the params when the request arrives. `ordering` may throw an `RPCError` (for
    /// example -32602 for a path that cannot be parsed); the request is then refused before
    /// it runs.
    public mutating func register<P: Decodable & Sendable, R: Encodable & Sendable>(
        _ name: String, kind: MethodKind = .call,
        ordering: (@Sendable (P) throws -> [OrderingKey])?,
        _ handler: @escaping @Sendable (P, RequestContext) async throws -> R
    ) {
        entries[name] = MethodEntry(body: .task(kind) { line, range, decoder throws(RPCError) in
            let params = try ParamsDecoding.decode(P.self, from: line, range: range, decoder: decoder)
            let keys: [OrderingKey]
            do {
                keys = try ordering?(params) ?? []
            } catch let error as RPCError {
                throw error
            } catch let error as any RPCErrorConvertible {
                throw error.rpcError
            } catch {
                throw RPCError.invalidParams(path: "", problem: String(describing: error))
            }
            return PreparedCall(keys: keys) { context in
                let result = try await handler(params, context)
                return try Array(ResultEncoding.encoder.encode(result))
            }
        })
    }

    /// Registers a method answered on the reader thread in arrival order. For session
    /// methods that never block.
    mutating func registerImmediate<P: Decodable & Sendable, R: Encodable & Sendable>(
        _ name: String, _ handler: @escaping @Sendable (P, RequestID) throws -> R
    ) {
        entries[name] = MethodEntry(body: .immediate { line, range, decoder, id in
            let params = try ParamsDecoding.decode(P.self, from: line, range: range, decoder: decoder)
            return try Array(ResultEncoding.encoder.encode(handler(params, id)))
        })
    }

    mutating func registerShutdown() {
        entries["shutdown"] = MethodEntry(body: .shutdown)
    }

    /// The registered method names, sorted.
    public var methodNames: [String] {
        entries.keys.sorted()
    }

    public func contains(_ name: String) -> Bool {
        entries[name] != nil
    }

    func entry(_ name: String) -> MethodEntry? {
        entries[name]
    }
}

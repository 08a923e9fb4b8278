import FichierAPI
import FichierRPC
import Foundation
import Testing

/// The API the composer (`fichier serve`) registers the 1fichier methods with.
@Suite("Method registration API")
struct ComposerAPITests {
    /// Stands in for FichierAPI's FichierError until it lands: described by its kind.
    struct ProviderFailure: RPCErrorConvertible {
        var kind: String
        var retryAfter: Duration?
        var rpcError: RPCError {
            .mapping(kind: kind, message: "provider said no", retryable: nil, retryAfter: retryAfter,
                     provider: ProviderDetail(httpStatus: 403, code: 374, message: "Flood detected: IP Locked #374"))
        }
    }

    struct PathParams: Decodable, Sendable {
        var path: String
        var ms: Int?
        var fail: String?
    }

    struct Stat: Encodable, Sendable {
        var path: String
        var modified: Date
        var order: Int
    }

    final class Counter: Sendable {
        private let value = Locked(0)
        func next() -> Int { value.withLock { $0 += 1; return $0 } }
    }

    static func registry(counter: Counter) -> MethodRegistry {
        var registry = MethodRegistry()
        registry.register("test/stat") { (params: PathParams, _: RequestContext) async throws -> Stat in
            if let kind = params.fail { throw ProviderFailure(kind: kind, retryAfter: .seconds(30)) }
            return Stat(path: params.path, modified: Date(timeIntervalSince1970: 0), order: counter.next())
        }
        // Keys known only inside the handler: ordered from the moment of the call.
        registry.register("test/touch") { (params: PathParams, context: RequestContext) async throws -> Stat in
            try await context.ordered(by: [params.path]) {
                context.log(.info, "holding \(params.path)")
                let order = counter.next()
                try await Task.sleep(for: .milliseconds(params.ms ?? 0))
                return Stat(path: params.path, modified: Date(timeIntervalSince1970: 0), order: order)
            }
        }
        // Keys declared at registration: ordered by arrival.
        registry.register("test/rename", orderedBy: { (params: PathParams) in [params.path] }) {
            (params: PathParams, context: RequestContext) async throws -> Stat in
            // Already holding the key: ordered(by:) runs at once instead of waiting on itself.
            try await context.ordered(by: [params.path]) {
                let order = counter.next()
                try await Task.sleep(for: .milliseconds(params.ms ?? 0))
                return Stat(path: params.path, modified: Date(timeIntervalSince1970: 0), order: order)
            }
        }
        return registry
    }

    @Test func registeredMethodsAreAdvertisedAndAnswered() async throws {
        let server = try PipeServer(methods: Self.registry(counter: Counter()))
        #expect(server.server.methodNames.contains("test/stat"))
        server.request(1, "initialize")
        server.request(2, "test/stat", #"{"path":"/a.txt"}"#)
        server.request(3, "test/stat", #"{"path":"/a.txt","fail":"rate_limited"}"#)
        server.request(4, "test/stat", #"{"path":"/a.txt","fail":"owner_locked"}"#)
        server.request(5, "test/stat", #"{"nopath":1}"#)
        let methods = try #require((try await server.output.response(1).result?["capabilities"] as? [String: Any])?["methods"] as? [String])
        #expect(methods.contains("test/stat") && methods.contains("test/rename"))
        let stat = try await server.output.response(2)
        #expect(stat.result?["modified"] as? String == "1970-01-01T00:00:00Z")
        let limited = try await server.output.response(3)
        #expect(limited.errorCode == 1200)
        #expect(limited.errorData?["retryable"] as? Bool == true)
        #expect(limited.errorData?["retryAfterMs"] as? Int == 30000)
        #expect((limited.errorData?["provider"] as? [String: Any])?["code"] as? Int == 374)
        #expect(try await server.output.response(4).errorCode == 1104)
        #expect(try await server.output.response(5).errorCode == -32602)
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func orderingByKeysInsideAndAtRegistration() async throws {
        let server = try PipeServer(methods: Self.registry(counter: Counter()))
        // 1 holds /x long enough that 3 (/y, not waiting) is surely answered first.
        server.request(1, "test/rename", #"{"path":"/x","ms":2000}"#)
        server.request(2, "test/rename", #"{"path":"/x","ms":1}"#)
        server.request(3, "test/rename", #"{"path":"/y","ms":1}"#)
        let renames = try await server.output.wait { $0.count >= 3 }
        #expect(renames.map(\.id) == [AnyHashable(3), AnyHashable(1), AnyHashable(2)])

        // Keys taken inside a handler are ordered from the moment it takes them: 5 is sent
        // once 4 holds /z (its log line says so).
        server.request(6, "logging/setLevel", #"{"level":"info"}"#)
        _ = try await server.output.response(6)
        server.request(4, "test/touch", #"{"path":"/z","ms":200}"#)
        _ = try await server.output.wait { list in list.contains { $0.method == "event/log" && $0.requestID == AnyHashable(4) } }
        server.request(5, "test/touch", #"{"path":"/z","ms":1}"#)
        let order4 = try await server.output.response(4).result?["order"] as? Int ?? 0
        let order5 = try await server.output.response(5).result?["order"] as? Int ?? 0
        #expect(order4 < order5)
        let all = try server.output.messages()
        #expect(all.firstIndex { $0.id == AnyHashable(4) }! < all.firstIndex { $0.id == AnyHashable(5) }!)
        server.closeInput()
        _ = try await server.exitStatus()
    }
}

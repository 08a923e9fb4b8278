import Hummingbird
import NIOCore

/// Front door of the API: the checks every call goes through, in the service's order as far as
/// it is known (injected faults and flood locks, method, JSON Content-Type, Bearer key, JSON body,
/// rate limits), then the endpoint's handler.
struct APIGateway: Sendable {
    let core: EmulatorCore

    /// Largest JSON body accepted.
    static let maximumBodyBytes = 1 << 20

    func respond(_ request: Request, endpoint: APIEndpoint, facts: RequestFacts) async -> Response {
        if let status = core.faults.takeAPIFault(endpointPath: endpoint.rawValue) {
            return Self.injectedFailure(status)
        }
        if let lock = core.faults.activeFloodLock() {
            return .json(["status": "KO", "message": .string(lock.message)], status: .forbidden)
        }
        guard request.method == .post || (endpoint.allowsGet && request.method == .get) else {
            return Self.failure(.methodNotAllowed)
        }
        guard Self.isJSON(request.headers[.contentType]) else {
            return Self.failure(.contentTypeNotJSON)
        }
        let authenticated = core.isAcceptedKey(facts.bearerKey)
        if endpoint.requiresKey, !authenticated {
            return Self.failure(.notAuthenticated)
        }

        var parameters = APIParameters(WireObject())
        if request.method == .post {
            let bytes: [UInt8]
            do {
                var buffer = try await request.body.collect(upTo: Self.maximumBodyBytes)
                bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            } catch {
                return Self.failure(.bodyTooLarge)
            }
            if !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
                guard case .object(let object)? = try? WireJSON.parse(bytes) else {
                    return Self.failure(.invalidJSON)
                }
                parameters = APIParameters(object)
            }
        }
        let pretty = (try? parameters.flag("pretty")) == 1

        let caller = authenticated ? "key:" + (facts.bearerKey ?? "") : "ip:" + facts.clientAddress
        if let refusal = core.limiter.admit(
            Self.callKind(endpoint, parameters), caller: caller, address: "ip:" + facts.clientAddress,
            limits: core.faults.rateLimits)
        {
            return Self.failure(refusal, pretty: pretty)
        }

        let handlers = APIHandlers(core: core, facts: facts)
        do {
            let answer = try handlers.handle(endpoint, parameters)
            return .json(answer, pretty: pretty)
        } catch {
            return Self.failure(error, pretty: pretty)
        }
    }

    static func failure(_ error: APIError, pretty: Bool = false) -> Response {
        .json(error.body, status: error.status, pretty: pretty)
    }

    /// An injected failure: nginx's HTML page for 5xx (what a broken backend looks like),
    /// a JSON KO otherwise.
    static func injectedFailure(_ code: Int) -> Response {
        let status = HTTPStatusText.status(code)
        if code >= 500 { return .nginxError(status) }
        return .json(["status": "KO", "message": .string("Injected failure #\(code)")], status: status)
    }

    /// `application/json`, with or without parameters such as `charset`.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = contentType.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingSpaces.lowercased() }
        return type == "application/json"
    }

    static func callKind(_ endpoint: APIEndpoint, _ parameters: APIParameters) -> RateLimiter.CallKind {
        switch endpoint {
        case .userInfo:
            return .userInfo
        case .fileList:
            let folder = (try? parameters.folderID()) ?? 0
            return folder == -1 ? .accountListing : .folderListing(endpoint: endpoint.rawValue, folder: folder)
        case .folderList:
            return .folderListing(endpoint: endpoint.rawValue, folder: (try? parameters.folderID()) ?? 0)
        default:
            return .plain
        }
    }
}

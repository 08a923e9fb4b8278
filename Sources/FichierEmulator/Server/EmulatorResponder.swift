import Hummingbird
import Logging
import NIOCore

/// Routes every request on the one port: `/v1/…` to the API, `/upload.cgi` and `/end.pl` to the
/// upload node, `/dl/<token>` to downloads, `/dir/<id>` to public folder listings; anything else
/// is nginx's 404. Adds the optional latency and records each request.
struct EmulatorResponder: HTTPResponder {
    typealias Context = EmulatorConnection

    let core: EmulatorCore
    /// The listening address, for requests without a Host header.
    let fallbackHost: @Sendable () -> String

    func respond(to request: Request, context: EmulatorConnection) async throws -> Response {
        let started = ContinuousClock.now
        let latency = core.faults.latency
        if latency > .zero { try await Task.sleep(for: latency) }
        let facts = RequestFacts(request: request, clientAddress: context.clientAddress, fallbackHost: fallbackHost())
        let path = request.uri.path
        var response: Response
        do {
            response = try await route(request, path: path, context: context, facts: facts)
        } catch {
            record(request, path: path, status: 0, started: started)
            throw error
        }
        if request.method == .head { response = response.createHeadResponse() }
        record(request, path: path, status: Int(response.status.code), started: started)
        return response
    }

    private func route(_ request: Request, path: String, context: EmulatorConnection, facts: RequestFacts)
        async throws -> Response
    {
        if path.hasPrefix("/v1/") {
            guard let endpoint = APIEndpoint(rawValue: String(path.dropFirst(4))) else { return .nginxError(.notFound) }
            return await APIGateway(core: core).respond(request, endpoint: endpoint, facts: facts)
        }
        switch path {
        case "/upload.cgi":
            return try await UploadNode(core: core).upload(request, connection: context, facts: facts)
        case "/end.pl":
            return UploadNode(core: core).endReport(request)
        default:
            break
        }
        if path.hasPrefix("/dl/") {
            let token = path.dropFirst(4)
            guard !token.isEmpty, !token.contains("/") else { return .nginxError(.notFound) }
            return DownloadResponder(core: core).respond(request, token: String(token))
        }
        if path.hasPrefix("/dir/") {
            return await SharedFolderPage(core: core).respond(request, folderText: path.dropFirst(5))
        }
        return .nginxError(.notFound)
    }

    private func record(_ request: Request, path: String, status: Int, started: ContinuousClock.Instant) {
        core.faults.record(EmulatorRequestRecord(
            method: request.method.rawValue, path: path, time: started, status: status))
        let shown = path.hasPrefix("/dl/") ? "/dl/<token>" : path
        core.logger.info("\(request.method.rawValue) \(shown) \(status == 0 ? "dropped" : String(status))")
    }
}

import FichierAPI
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// The upload node: `POST /upload.cgi?id=…` (multipart, streamed to disk) and `GET /end.pl?xid=…`.
struct UploadNode: Sendable {
    let core: EmulatorCore

    /// The documented per-request maximum (500 GB).
    static let maximumRequestBytes: Int64 = 500_000_000_000

    /// Thrown after the connection was reset on purpose (fault injection).
    struct ConnectionDropped: Error {}

    // MARK: upload.cgi

    func upload(_ request: Request, connection: EmulatorConnection, facts: RequestFacts) async throws -> Response {
        guard request.method == .post else {
            return .html(NodePages.error(NodePages.methodNotAllowed), status: .methodNotAllowed)
        }
        guard let id = request.uri.queryParameters["id"], RandomIdentifiers.isValidUploadID(id) else {
            return .html(NodePages.error(NodePages.invalidUploadID))
        }
        guard let lengthText = request.headers[.contentLength], let length = Int64(lengthText), length >= 0 else {
            return .html(NodePages.error(NodePages.lengthRequired), status: .lengthRequired)
        }
        guard length <= Self.maximumRequestBytes else {
            return .html(NodePages.error(NodePages.tooLarge), status: .contentTooLarge)
        }
        let uploadID = String(id)
        guard core.sessions.claim(uploadID) else {
            return .html(NodePages.error(NodePages.uploadIDUsed))
        }
        let fault = core.faults.takeUploadFault()
        let receiver = UploadReceiver(store: core.store)
        let parser = Self.boundary(of: request.headers[.contentType]).flatMap { MultipartParser(boundary: $0) }
        var parseFailed = parser == nil
        var storageFailed = false
        var received: Int64 = 0

        do {
            for try await buffer in request.body {
                received += Int64(buffer.readableBytes)
                if case .dropConnection(let limit) = fault, received >= limit {
                    receiver.discardAll()
                    core.sessions.release(uploadID)
                    await Self.reset(connection.channel)
                    throw ConnectionDropped()
                }
                guard !parseFailed, let parser else { continue }
                do {
                    try buffer.withUnsafeReadableBytes { try parser.feed($0, to: receiver) }
                } catch let error as StorageError {
                    // The node cannot write: the service's "cannot open the destination file".
                    parseFailed = true
                    storageFailed = true
                    receiver.discardAll()
                    core.logger.error("upload \(uploadID): \(error)")
                } catch {
                    parseFailed = true
                    receiver.discardAll()
                    core.logger.debug("upload \(uploadID): \(error)")
                }
            }
        } catch let error as ConnectionDropped {
            throw error
        } catch {
            // The client went away mid-body: nothing is stored.
            receiver.discardAll()
            core.sessions.release(uploadID)
            throw error
        }
        if !parseFailed, parser?.isComplete != true { parseFailed = true }

        switch fault {
        case .nodeFailurePage?:
            receiver.discardAll()
            core.sessions.release(uploadID)
            return .html(NodePages.error(NodePages.cannotOpenDestination))
        case .serverError(let status)?:
            receiver.discardAll()
            core.sessions.release(uploadID)
            return .html(NodePages.error(NodePages.serverError), status: HTTPStatusText.status(status))
        default:
            break
        }
        guard !parseFailed else {
            receiver.discardAll()
            core.sessions.release(uploadID)
            return .html(NodePages.error(storageFailed ? NodePages.cannotOpenDestination : NodePages.noFileFound))
        }

        let identified = core.isAcceptedKey(facts.bearerKey)
        let outcome: UploadOutcome
        do {
            outcome = try commit(receiver, identified: identified)
        } catch {
            receiver.discardAll()
            core.sessions.release(uploadID)
            core.logger.error("upload \(uploadID): cannot store: \(error)")
            return .html(NodePages.error(NodePages.cannotOpenDestination))
        }
        guard !outcome.links.isEmpty else {
            core.sessions.release(uploadID)
            return .html(NodePages.error(outcome.refusedNames ? NodePages.invalidFileName : NodePages.noFileFound))
        }
        var report = UploadSessions.Report(links: outcome.links)
        switch fault {
        case .endPagePleaseWait?: report.behaviour = .pleaseWaitForever
        case .endPagePleaseWaitThenReport(let calls)?: report.behaviour = calls > 0 ? .pleaseWait(remainingCalls: calls) : .normal
        case .emptyLinks?: report.behaviour = .emptyLinks
        default: break
        }
        core.sessions.complete(uploadID, with: report)
        let location = "/end.pl?xid=\(uploadID)"
        return .html(NodePages.redirect(to: location), status: .found, headers: [.location: location])
    }

    struct UploadOutcome {
        var links: [UploadSessions.Report.Link]
        var refusedNames: Bool
    }

    /// Moves the received files into the account (or, anonymous, outside any account).
    private func commit(_ receiver: UploadReceiver, identified: Bool) throws -> UploadOutcome {
        let requestedFolder = Int(receiver.fields["did"]?.trimmingSpaces ?? "")
        let domain = Int(receiver.fields["domain"]?.trimmingSpaces ?? "").flatMap {
            FileURL.domains.indices.contains($0) ? $0 : nil
        } ?? 0
        let password = receiver.fields["dpass"].flatMap { $0.isEmpty ? nil : $0 }
        let now = Date()
        let date = ParisTime.format(now)
        var links: [UploadSessions.Report.Link] = []
        var refusedNames = false
        for file in receiver.files {
            guard file.size > 0, NameRules.isValid(file.name) else {
                refusedNames = refusedNames || (file.size > 0)
                receiver.discard(file)
                continue
            }
            let id = RandomIdentifiers.fileID()
            if let path = file.temporaryPath { try core.store.adoptBlob(from: path, as: id) }
            let removeCode = identified ? nil : RandomIdentifiers.removalCode()
            let stored = try core.store.mutate { state throws(APIError) -> StoredFile in
                var folder: Int? = nil
                if identified {
                    folder = requestedFolder.flatMap { state.folderExists($0) ? $0 : nil } ?? 0
                }
                let stored = StoredFile(
                    id: id, name: file.name, folderID: folder, size: file.size, checksum: file.checksum,
                    contentType: ContentTypes.guess(fileName: file.name, declared: file.declaredType),
                    date: date, created: now.timeIntervalSince1970, sequence: state.takeSequence(), domain: domain,
                    password: password, removeCode: removeCode, blob: file.temporaryPath == nil ? nil : id)
                state.insert(stored)
                return stored
            }
            links.append(UploadSessions.Report.Link(
                download: stored.url, filename: stored.name,
                remove: removeCode.map { "https://\(FileURL.domains[domain])/remove/\(id)/\($0)" } ?? "",
                size: stored.size, whirlpool: stored.checksum))
        }
        return UploadOutcome(links: links, refusedNames: refusedNames)
    }

    /// The `boundary` parameter of a multipart/form-data Content-Type. Like the service, a quoted
    /// boundary is not understood (clients reported "Pas de fichier trouvé" until they unquoted it).
    static func boundary(of contentType: String?) -> String? {
        guard let contentType, let parsed = ContentDisposition(parsing: contentType),
              parsed.type == "multipart/form-data", let boundary = parsed.parameter("boundary"), !boundary.quoted
        else { return nil }
        return boundary.value
    }

    /// Resets the connection (RST), like a node that dies mid-upload.
    static func reset(_ channel: any Channel) async {
        if let socket = channel as? any SocketOptionProvider {
            try? await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }

    // MARK: end.pl

    func endReport(_ request: Request) -> Response {
        guard request.method == .get || request.method == .head || request.method == .post else {
            return .html(NodePages.error(NodePages.methodNotAllowed), status: .methodNotAllowed)
        }
        guard let xid = request.uri.queryParameters["xid"], RandomIdentifiers.isValidUploadID(xid) else {
            return .html(NodePages.error(NodePages.unknownReport), status: .notFound)
        }
        let mode = Self.jsonMode(request)
        switch core.sessions.lookup(String(xid)) {
        case .unknown:
            return .html(NodePages.error(NodePages.unknownReport), status: .notFound)
        case .pleaseWait:
            return .html(NodePages.pleaseWait(xid: String(xid)))
        case .report(let report):
            guard mode > 0 else { return .html(NodePages.report(report)) }
            let links: [WireJSON] = report.links.map { link in
                ["download": .string(link.download), "filename": .string(link.filename),
                 "remove": .string(link.remove), "size": .string(String(link.size)),
                 "whirlpool": .string(link.whirlpool)]
            }
            return .json(["incoming": .int(report.incoming), "links": .array(links)], pretty: mode == 2)
        }
    }

    /// 0 for HTML; 1 for JSON; 2 for readable JSON. From the `JSON` header (any case) or the
    /// `JSON`/`json` query parameter.
    static func jsonMode(_ request: Request) -> Int {
        let header = request.headers[.jsonRequest]?.trimmingSpaces
        let query = request.uri.queryParameters["JSON"] ?? request.uri.queryParameters["json"]
        for value in [header, query.map(String.init)] {
            if let value, let mode = Int(value), mode == 1 || mode == 2 { return mode }
        }
        return 0
    }
}

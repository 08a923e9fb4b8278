import FichierAPI

/// `fs/delete {path | url | urls, missingOk?}`: removes files (folders: `fs/rmdir`).
/// `missingOk` (default true) makes a file that is already gone a success, reported in
/// `missing`.
enum DeleteMethod {
    struct Params: Decodable, Sendable {
        var path: String?
        var url: String?
        var urls: [String]?
        var missingOk: Bool?
    }

    struct Result: Encodable, Sendable {
        /// How many files were removed.
        var removed: Int
        /// The URLs removed.
        var urls: [String]
        /// Paths or URLs that named no file (only with `missingOk`).
        var missing: [String]
    }

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("fs/delete", ordering: { (params: Params) throws -> [OrderingKey] in
            try RemoteParams.target(path: params.path, url: params.url, urls: params.urls, allowURLs: true).mutationKeys
        }, service.tracked { (params: Params, _: RequestContext) async throws -> Result in
            let missingOk = params.missingOk ?? true
            switch try RemoteParams.target(path: params.path, url: params.url, urls: params.urls, allowURLs: true) {
            case .path(let path):
                let item: RemoteItem
                do {
                    item = try await service.locator.item(path)
                } catch let error as RPCError where error.data.kind == "not_found" && missingOk {
                    return Result(removed: 0, urls: [], missing: [path.description])
                }
                guard case .file(let file) = item else {
                    throw RemoteLocator.notFound("\(path) is a folder, not a file (remove folders with fs/rmdir)",
                                                 path: path, subject: "file")
                }
                return try await remove([file.url], service: service, missingOk: false, shownAs: [file.url: path.description])
            case .url(let url):
                return try await remove([url], service: service, missingOk: missingOk, shownAs: [:])
            case .urls(let urls):
                return try await remove(urls, service: service, missingOk: missingOk, shownAs: [:])
            }
        })
    }

    /// file/rm.cgi refuses the whole call when one URL is unknown; with `missingOk` the URLs
    /// are then removed one by one to tell which are gone.
    static func remove(_ urls: [String], service: FichierService, missingOk: Bool,
                       shownAs: [String: String]) async throws -> Result {
        var unique: [String] = []
        for url in urls where !unique.contains(url) { unique.append(url) }
        do {
            let removed = try await service.client.removeFiles(urls: unique)
            return Result(removed: removed, urls: unique, missing: [])
        } catch let error as FichierError where error.kind == .notFound {
            guard missingOk else {
                let shown = unique.count == 1 ? (shownAs[unique[0]] ?? unique[0]) : nil
                throw error.rpcError.about(path: shown, subject: "file")
            }
            guard unique.count > 1 else { return Result(removed: 0, urls: [], missing: unique) }
            var result = Result(removed: 0, urls: [], missing: [])
            let counts = RemovalCounts()
            try await RPCError.reportingPartial({ counts.partial }) {
                for url in unique {
                    do {
                        result.removed += try await service.client.removeFiles(urls: [url])
                        result.urls.append(url)
                        counts.files += 1
                    } catch let error as FichierError where error.kind == .notFound {
                        result.missing.append(url)
                    }
                }
            }
            return result
        } catch let error as FichierError {
            let shown = unique.count == 1 ? (shownAs[unique[0]] ?? unique[0]) : nil
            throw error.rpcError.about(path: shown, subject: "file")
        }
    }
}

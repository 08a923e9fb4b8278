import FichierAPI
import Foundation

/// `link/get {path | url, password?, cdn?}`: a direct download URL (download/get_token.cgi),
/// valid about 5 minutes. The URL grants access: it goes to the client that asked for it and
/// nowhere else (never logged).
enum LinkMethod {
    struct Params: Decodable, Sendable {
        var path: String?
        var url: String?
        var password: String?
        var cdn: Bool?
    }

    struct Result: Encodable, Sendable {
        /// The direct URL.
        var url: String
        /// When it stops working (issue time + 5 minutes), ISO 8601 UTC.
        var expiresAt: String
        /// The file's own (permanent) URL.
        var fileURL: String
    }

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("link/get", ordering: { (params: Params) throws -> [OrderingKey] in
            try RemoteParams.target(path: params.path, url: params.url, urls: nil, allowURLs: false).readKeys
        }, service.tracked { (params: Params, _: RequestContext) async throws -> Result in
            let fileURL: String
            let shown: String
            switch try RemoteParams.target(path: params.path, url: params.url, urls: nil, allowURLs: false) {
            case .path(let path):
                fileURL = try await service.locator.file(path).url
                shown = path.description
            case .url(let url):
                fileURL = url
                shown = url
            case .urls:
                throw RPCError.invalidParams(path: "urls", problem: "not accepted here")
            }
            let issued = Date()
            do {
                let token = try await service.client.downloadToken(url: fileURL, password: params.password,
                                                                   cdn: params.cdn ?? false, singleUse: false)
                let expires = issued.addingTimeInterval(DownloadToken.lifetime)
                return Result(url: token.url, expiresAt: ISOTime.string(expires), fileURL: fileURL)
            } catch let error as FichierError {
                throw error.rpcError.about(path: shown, subject: "file")
            }
        })
    }
}

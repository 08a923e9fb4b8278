import Foundation
import Hummingbird
import NIOCore

/// `GET|POST /dir/<id>?json=1` (outside the API): the public listing of a folder shared with
/// folder/share `share:1`, as a JSON array of `{filename, link, size}`. A share password comes
/// in a form body `json=1&pass=…`.
struct SharedFolderPage: Sendable {
    let core: EmulatorCore

    func respond(_ request: Request, folderText: Substring) async -> Response {
        guard request.method == .get || request.method == .post || request.method == .head else {
            return .nginxError(.methodNotAllowed)
        }
        guard let id = Int(folderText), id > 0,
              let folder = core.store.peek({ $0.folders[id] }), folder.shared == 1
        else { return .nginxError(.notFound) }
        var form: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { form[String(key)] = String(value) }
        if request.method == .post, var body = try? await request.body.collect(upTo: 64 * 1024) {
            let text = body.readString(length: body.readableBytes) ?? ""
            for pair in text.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = PercentEncoding.decode(parts[0].replacingOccurrences(of: "+", with: " ")) ?? ""
                let value = parts.count > 1 ? PercentEncoding.decode(parts[1].replacingOccurrences(of: "+", with: " ")) ?? "" : ""
                form[key] = value
            }
        }
        if let password = folder.sharePassword, form["pass"] != password {
            return .html(NodePages.error("Mot de passe incorrect / Invalid password"), status: .forbidden)
        }
        let files = core.store.peek { $0.files(in: id) }
        if form["json"] == "1" {
            return .json(.array(files.map {
                ["filename": .string($0.name), "link": .string($0.url), "size": .int($0.size)]
            }))
        }
        return .html(NodePages.sharedFolder(name: folder.name, files: files))
    }
}

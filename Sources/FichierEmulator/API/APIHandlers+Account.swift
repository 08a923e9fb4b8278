import FichierAPI
import Foundation

extension APIHandlers {
    /// user/info.cgi: the account, with the field types rclone and JDownloader expect (several
    /// flags as strings); settable fields in the body are applied first.
    func userInfo(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        var changes: [(WritableKeyPath<AccountSettings, Int>, Int)] = []
        for setting in AccountSettings.settable {
            guard let value = try parameters.int(setting.key) else { continue }
            guard setting.range.contains(value) else { throw .invalidParameter(setting.key) }
            changes.append((setting.path, value))
        }
        let (account, used) = try store.mutate { state throws(APIError) -> (AccountSettings, Int64) in
            for (path, value) in changes {
                if path == \AccountSettings.ftpDID, !state.folderExists(value) { throw .resourceNotFound }
                state.account[keyPath: path] = value
            }
            return (state.account, state.files.values.reduce(Int64(0)) { $0 + ($1.folderID == nil ? 0 : $1.size) })
        }
        let quota = core.configuration.storageQuota
        let now = Date()
        return [
            "status": "OK",
            "email": .string(core.configuration.accountEmail),
            "offer": "1",
            "subscription_end": .string(ParisTime.format(now.addingTimeInterval(365 * 86_400))),
            "2fa": "0",
            "mail_rm": "0",
            "ftp_mode": .string(String(account.ftpMode)),
            "ftp_did": .int(account.ftpDID),
            "ftp_report": .string(String(account.ftpReport)),
            "ru_report": .string(String(account.ruReport)),
            "default_domain": .int(account.defaultDomain),
            "page_limit": .int(account.pageLimit),
            "default_port": .string(String(account.defaultPort)),
            "default_port_files": .string(String(account.defaultPortFiles)),
            "download_menu": .string(String(account.downloadMenu)),
            "use_cdn": .string(String(account.useCDN)),
            "cdn": "0.00",
            "default_quota": .int(quota),
            "default_cold_storage_quota": .int(quota),
            "hot_storage": 0,
            "cold_storage": .int(used),
            "allowed_cold_storage": .int(quota),
            "available_storage": .int(max(0, quota - used)),
            "available_cold_storage": .int(quota),
            "extended_quota": 0,
            "extended_quota_end": "",
            "overquota": .int(used > quota ? 1 : 0),
            "upload_forbidden": "0",
            "stats_date": .string(ParisTime.format(now)),
        ]
    }

    /// upload/get_upload_server.cgi: a node host (bare, no scheme) and a one-time id; no `status`.
    func uploadServer() -> WireJSON {
        ["url": .string(core.configuration.uploadNodeHost ?? facts.host), "id": .string(core.sessions.issue())]
    }

    /// download/get_token.cgi: a temporary URL on this host, `/dl/<opaque>`.
    func downloadToken(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        let single = try parameters.flag("single") ?? 0
        let inline = try parameters.flag("inline") ?? 0
        _ = try parameters.flag("cdn")
        _ = try parameters.flag("no_ssl")
        _ = try parameters.int("restrict_ip")
        let password = try parameters.string("pass")
        let file: StoredFile
        if let url = try parameters.string("url") {
            let id = try fileID(url)
            guard let found = store.peek({ $0.files[id] }) else { throw .resourceNotFound }
            file = found
        } else if let name = try parameters.string("filename"), parameters.has("folder_id") {
            let folder = try parameters.folderID()
            guard let found = store.peek({ $0.files(in: folder).first { $0.name == name } }) else {
                throw .resourceNotFound
            }
            file = found
        } else {
            throw .invalidParameter("url")
        }
        try Self.checkPassword(of: file, given: password)
        let token = core.tokens.issue(
            fileID: file.id, lifetime: core.configuration.tokenLifetime, singleUse: single == 1, inline: inline == 1)
        return ["status": "OK", "url": .string("\(facts.baseURL)/dl/\(token)")]
    }
}

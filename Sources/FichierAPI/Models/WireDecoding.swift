import Foundation

/// Helpers shared by the wire models.
enum Wire {
    static func missing(_ field: String, in what: String) -> FichierError {
        FichierError(.providerProtocol, "1fichier's \(what) answer lacks a usable `\(field)`")
    }

    static func requireObject(_ json: JSONValue, _ what: String) throws(FichierError) -> JSONValue {
        guard json.objectValue != nil else {
            throw FichierError(.providerProtocol, "1fichier's \(what) answer is not a JSON object")
        }
        return json
    }

    static func string(_ json: JSONValue, _ keys: String..., what: String) throws(FichierError) -> String {
        for key in keys {
            if let value = json[key]?.stringValue, !value.isEmpty { return value }
        }
        throw missing(keys[0], in: what)
    }

    static func int64(_ json: JSONValue, _ keys: String..., what: String) throws(FichierError) -> Int64 {
        for key in keys {
            if let value = json[key]?.int64Value { return value }
        }
        throw missing(keys[0], in: what)
    }

    static func flag(_ json: JSONValue, _ key: String) -> Bool {
        json[key]?.boolValue ?? false
    }

    /// The id part of `https://1fichier.com/?abc123` (query, minus any `&…`).
    static func fileID(fromURL url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return "" }
        let rest = url[url.index(after: question)...]
        return String(rest.prefix { $0 != "&" })
    }
}

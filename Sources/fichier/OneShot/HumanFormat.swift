import Foundation
import FichierAPI

/// Small helpers for the human output of the verbs.
enum HumanFormat {
    static func size(_ value: JSONValue?) -> String {
        value?.int64Value.map(ProgressBar.bytes) ?? "-"
    }

    /// `2026-01-31T09:00:00Z` → `2026-01-31 09:00:00`.
    static func date(_ value: JSONValue?) -> String {
        guard let text = value?.stringValue else { return "-" }
        return text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }

    static func yesNo(_ value: JSONValue?) -> String {
        (value?.boolValue ?? false) ? "yes" : "no"
    }

    /// Aligned `key  value` lines.
    static func fields(_ pairs: [(String, String)]) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { key, value in
            key + String(repeating: " ", count: width - key.count + 2) + value
        }.joined(separator: "\n")
    }

    /// Right-aligns `text` in `width` columns.
    static func padLeft(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// A file or folder entry of fs/stat or fs/list as `key  value` lines.
    static func entry(_ entry: JSONValue) -> String {
        var pairs: [(String, String)] = [("type", entry["type"]?.stringValue ?? "?")]
        for key in ["name", "path", "url"] {
            if let value = entry[key]?.stringValue { pairs.append((key, value)) }
        }
        if let id = entry["id"]?.intValue { pairs.append(("id", String(id))) }
        if entry["size"] != nil { pairs.append(("size", "\(size(entry["size"])) (\(entry["size"]?.int64Value ?? 0) bytes)")) }
        if entry["date"] != nil { pairs.append(("date", date(entry["date"]))) }
        if entry["created"] != nil { pairs.append(("created", date(entry["created"]))) }
        if let type = entry["contentType"]?.stringValue { pairs.append(("content type", type)) }
        if let checksum = entry["checksum"]?.stringValue, !checksum.isEmpty { pairs.append(("whirlpool", checksum)) }
        if entry["password"]?.boolValue == true { pairs.append(("password", "yes")) }
        return fields(pairs)
    }
}

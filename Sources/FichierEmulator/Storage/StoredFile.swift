/// A file of the emulated service. Its identity is its URL, `https://<domain>/?<id>`.
struct StoredFile: Codable, Sendable, Equatable {
    var id: String
    var name: String
    /// The folder holding it; nil for an anonymous upload, which belongs to no account.
    var folderID: Int?
    var size: Int64
    /// Whirlpool of the stored bytes; empty in discard mode.
    var checksum: String
    var contentType: String
    /// Upload date, Europe/Paris.
    var date: String
    /// Creation time (seconds since 1970), for the optional listing delay.
    var created: Double = 0
    /// Creation order, for stable listings.
    var sequence: Int64
    var domain: Int = 0
    var description: String = ""
    var password: String?
    var noSSL: Int = 0
    var inline: Int = 0
    var cdn: Int = 0
    var acl: FileACL?
    /// Removal code of an anonymous upload (the `remove` link of end.pl).
    var removeCode: String?
    /// Blob file name under `blobs/`; nil in discard mode (the download serves zeros).
    var blob: String?

    var url: String { FileURL.make(id: id, domain: domain) }
    var hasPassword: Bool { !(password ?? "").isEmpty }
}

/// Access restrictions set with file/chattr (`acl`). Stored and reported, not enforced.
struct FileACL: Codable, Sendable, Equatable {
    var ip: [String] = []
    var country: [String] = []
    var email: [String] = []
    var premium: Int = 0

    var isEmpty: Bool { ip.isEmpty && country.isEmpty && email.isEmpty && premium == 0 }

    var json: WireJSON {
        ["ip": .array(ip.map { .string($0) }), "country": .array(country.map { .string($0) }),
         "email": .array(email.map { .string($0) }), "premium": .int(premium)]
    }
}

/// A folder. The root (id 0, "Root") is implicit and never stored.
struct StoredFolder: Codable, Sendable, Equatable {
    var id: Int
    var name: String
    var parentID: Int
    var createDate: String
    /// Public share by URL (folder/share `share:1`).
    var shared: Int = 0
    var sharePassword: String?
    var shares: [FolderShare] = []
}

/// A groupware share of a folder with another registered user.
struct FolderShare: Codable, Sendable, Equatable {
    var email: String
    var rw: Int
    var hideLinks: Int
}

/// The file URLs of the service: `https://1fichier.com/?<id>` on the default domain.
enum FileURL {
    /// The domain table of the `domain` upload parameter (reference §1.5).
    static let domains = [
        "1fichier.com", "alterupload.com", "cjoint.net", "desfichiers.com", "dfichiers.com",
        "megadl.fr", "mesfichiers.org", "piecejointe.net", "pjointe.com", "tenvoi.com", "dl4free.com",
    ]

    static func make(id: String, domain: Int = 0) -> String {
        "https://\(domains.indices.contains(domain) ? domains[domain] : domains[0])/?\(id)"
    }

    /// The file id in a URL of any of the service's domains (`http`/`https`, optional `www.`,
    /// extra `&…` parameters allowed), or nil.
    static func id(from url: String) -> String? {
        var rest = url.trimmingSpaces[...]
        if rest.hasPrefix("https://") {
            rest = rest.dropFirst(8)
        } else if rest.hasPrefix("http://") {
            rest = rest.dropFirst(7)
        } else {
            return nil
        }
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        var host = rest[..<slash].lowercased()
        if host.hasPrefix("www.") { host.removeFirst(4) }
        guard domains.contains(host) || host == "desfichiers.net" || host == "mesfichiers.net" else { return nil }
        let path = rest[rest.index(after: slash)...]
        guard path.hasPrefix("?") else { return nil }
        let id = path.dropFirst().prefix { $0 != "&" && $0 != "#" }.lowercased()
        let valid = (5...20).contains(id.count) && id.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
        }
        return valid ? id : nil
    }
}

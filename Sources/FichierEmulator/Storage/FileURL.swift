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

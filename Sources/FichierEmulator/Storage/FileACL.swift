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

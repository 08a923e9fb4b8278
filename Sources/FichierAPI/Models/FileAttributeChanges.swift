/// What `file/chattr.cgi` should change; nil fields are left alone.
public struct FileAttributeChanges: Sendable, Hashable {
    /// Access restrictions; an empty list removes the restriction.
    public struct AccessList: Sendable, Hashable {
        public var ipRanges: [String]
        public var countries: [String]
        public var emails: [String]
        public var premiumOnly: Bool

        public init(ipRanges: [String] = [], countries: [String] = [], emails: [String] = [], premiumOnly: Bool = false) {
            self.ipRanges = ipRanges
            self.countries = countries
            self.emails = emails
            self.premiumOnly = premiumOnly
        }
    }

    /// New name (user form; encoded on the wire). Only with a single URL.
    public var filename: String?
    public var description: String?
    /// At least 6 characters; empty removes the password.
    public var password: String?
    public var noSSL: Bool?
    public var inline: Bool?
    public var cdn: Bool?
    public var accessList: AccessList?

    public init(filename: String? = nil, description: String? = nil, password: String? = nil, noSSL: Bool? = nil,
                inline: Bool? = nil, cdn: Bool? = nil, accessList: AccessList? = nil) {
        self.filename = filename
        self.description = description
        self.password = password
        self.noSSL = noSSL
        self.inline = inline
        self.cdn = cdn
        self.accessList = accessList
    }

    var isEmpty: Bool {
        filename == nil && description == nil && password == nil && noSSL == nil && inline == nil && cdn == nil
            && accessList == nil
    }

    /// The request members, merged into the `urls` body.
    var members: [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        if let filename { body["filename"] = .string(NameCodec.encode(filename)) }
        if let description { body["description"] = .string(description) }
        if let password { body["pass"] = .string(password) }
        if let noSSL { body["no_ssl"] = .integer(noSSL ? 1 : 0) }
        if let inline { body["inline"] = .integer(inline ? 1 : 0) }
        if let cdn { body["cdn"] = .integer(cdn ? 1 : 0) }
        if let accessList {
            body["acl"] = .object([
                "ip": .array(accessList.ipRanges.map(JSONValue.string)),
                "country": .array(accessList.countries.map(JSONValue.string)),
                "email": .array(accessList.emails.map(JSONValue.string)),
                "premium": .integer(accessList.premiumOnly ? 1 : 0),
            ])
        }
        return body
    }
}

import Foundation

/// `user/info.cgi`: the account. Flags and amounts arrive as numbers or strings.
/// 1fichier allows this call about once per 5 minutes per user.
public struct UserInfo: Sendable, Hashable {
    public var email: String?
    /// 0 free, 1 Premium, 2 Access, 3 Premium GOLD.
    public var offer: Int?
    public var subscriptionEnd: Date?
    /// Bytes used in cold storage (rclone's "used").
    public var coldStorageUsed: Int64?
    /// Cold storage allowed, in bytes (rclone's "total").
    public var coldStorageAvailable: Int64?
    public var hotStorageUsed: Int64?
    /// CDN credits in GB.
    public var cdnCredits: Double?
    public var usesCDN: Bool
    public var uploadForbidden: Bool
    public var overQuota: Bool
    public var raw: JSONValue

    public init(json: JSONValue) throws(FichierError) {
        let json = try Wire.requireObject(json, "user info")
        email = json.member("email")?.stringValue
        offer = json.member("offer")?.intValue
        subscriptionEnd = json.member("subscription_end")?.dateValue
        coldStorageUsed = json.member("cold_storage")?.int64Value
        coldStorageAvailable = json.member("available_cold_storage", "allowed_cold_storage")?.int64Value
        hotStorageUsed = json.member("hot_storage")?.int64Value
        cdnCredits = json.member("cdn")?.doubleValue
        usesCDN = Wire.flag(json, "use_cdn")
        uploadForbidden = Wire.flag(json, "upload_forbidden")
        overQuota = Wire.flag(json, "overquota")
        raw = json
    }
}

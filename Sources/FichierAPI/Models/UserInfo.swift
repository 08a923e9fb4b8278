import Foundation

/// `user/info.cgi`: the account (reference §7). Flags and amounts arrive as numbers or strings.
/// 1fichier allows this call about once per 5 minutes per user.
///
/// Each storage figure is the field of the same name, kept apart: 1fichier documents the names
/// but not their exact meaning. rclone's `about` reads `cold_storage` as used and
/// `available_cold_storage` as the total.
public struct UserInfo: Sendable, Hashable {
    public var email: String?
    /// 0 free, 1 Premium, 2 Access, 3 Premium GOLD.
    public var offer: Int?
    public var subscriptionEnd: Date?
    /// `cold_storage`: bytes used in cold storage (the account's files).
    public var coldStorageUsed: Int64?
    /// `allowed_cold_storage`: cold storage the account may use, in bytes.
    public var allowedColdStorage: Int64?
    /// `available_cold_storage`: cold storage available to the account, in bytes (rclone's total).
    public var availableColdStorage: Int64?
    /// `hot_storage`: bytes used in hot storage.
    public var hotStorageUsed: Int64?
    /// `available_storage`: storage still available, in bytes.
    public var availableStorage: Int64?
    /// `default_quota` (deprecated by 1fichier).
    public var defaultQuota: Int64?
    /// `default_cold_storage_quota`, in bytes.
    public var defaultColdStorageQuota: Int64?
    /// `extended_quota`: extra storage bought, in TB.
    public var extendedQuotaTB: Double?
    /// `extended_quota_end`: when the extra storage ends.
    public var extendedQuotaEnd: Date?
    /// `2fa`: 0 none, 1 e-mail, 2 Google Authenticator.
    public var twoFactor: Int?
    /// `cdn`: CDN credits in GB.
    public var cdnCredits: Double?
    /// `use_cdn`.
    public var usesCDN: Bool
    /// `upload_forbidden`.
    public var uploadForbidden: Bool
    /// `overquota`.
    public var overQuota: Bool
    /// `stats_date`: when the storage figures were computed.
    public var statsDate: Date?
    public var raw: JSONValue

    public init(json: JSONValue) throws(FichierError) {
        let json = try Wire.requireObject(json, "user info")
        email = json.member("email")?.stringValue
        offer = json.member("offer")?.intValue
        subscriptionEnd = json.member("subscription_end")?.dateValue
        coldStorageUsed = json.member("cold_storage")?.int64Value
        allowedColdStorage = json.member("allowed_cold_storage")?.int64Value
        availableColdStorage = json.member("available_cold_storage")?.int64Value
        hotStorageUsed = json.member("hot_storage")?.int64Value
        availableStorage = json.member("available_storage")?.int64Value
        defaultQuota = json.member("default_quota")?.int64Value
        defaultColdStorageQuota = json.member("default_cold_storage_quota")?.int64Value
        extendedQuotaTB = json.member("extended_quota")?.doubleValue
        extendedQuotaEnd = json.member("extended_quota_end")?.dateValue
        twoFactor = json.member("2fa")?.intValue
        cdnCredits = json.member("cdn")?.doubleValue
        usesCDN = Wire.flag(json, "use_cdn")
        uploadForbidden = Wire.flag(json, "upload_forbidden")
        overQuota = Wire.flag(json, "overquota")
        statsDate = json.member("stats_date")?.dateValue
        raw = json
    }

    /// The cold storage the account may fill: `allowed_cold_storage`, or
    /// `available_cold_storage` when 1fichier sent only that (rclone reads it as the total).
    public var coldStorageLimit: Int64? {
        allowedColdStorage ?? availableColdStorage
    }

    /// Cold storage left: the limit minus what is used (never negative); nil when either is unknown.
    public var coldStorageFree: Int64? {
        guard let limit = coldStorageLimit, let used = coldStorageUsed else { return nil }
        return max(0, limit - used)
    }
}

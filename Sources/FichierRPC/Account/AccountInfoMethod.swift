import FichierAPI

/// `account/info`: the account summary from user/info.cgi, plus its raw fields.
/// 1fichier allows that call about once per 5 minutes per user.
enum AccountInfoMethod {
    struct Params: Decodable, Sendable {}

    struct Offer: Encodable, Sendable {
        /// 0 free, 1 Premium, 2 Access, 3 Premium GOLD.
        var code: Int?
        var name: String
    }

    struct Storage: Encodable, Sendable {
        /// Bytes in cold storage (the account's files).
        var coldUsed: Int64?
        /// Cold storage allowed, in bytes.
        var coldAllowed: Int64?
        /// coldAllowed − coldUsed.
        var coldAvailable: Int64?
        /// Bytes in hot storage.
        var hotUsed: Int64?
    }

    struct Result: Encodable, Sendable {
        var email: String?
        var offer: Offer
        /// Premium or Premium GOLD.
        var premium: Bool
        /// Any paid offer (Premium, Access, Premium GOLD).
        var customer: Bool
        /// ISO 8601 UTC.
        var subscriptionEnd: String?
        var storage: Storage
        /// CDN credits, in GB.
        var cdnCredits: Double?
        var useCDN: Bool
        var uploadForbidden: Bool
        var overquota: Bool
        /// user/info.cgi's own fields, as 1fichier sent them.
        var raw: JSONValue
    }

    static func offerName(_ code: Int?) -> String {
        switch code {
        case 0: "Free"
        case 1: "Premium"
        case 2: "Access"
        case 3: "Premium GOLD"
        case nil: "unknown"
        case let other?: "offer \(other)"
        }
    }

    static func register(in registry: inout MethodRegistry, service: FichierService) {
        registry.register("account/info", service.tracked { (_: Params, _: RequestContext) async throws -> Result in
            let info = try await service.client.userInfo()
            let raw = info.raw
            let allowed = raw.member("allowed_cold_storage", "available_cold_storage")?.int64Value
            let used = info.coldStorageUsed
            var storage = Storage(coldUsed: used, coldAllowed: allowed, hotUsed: info.hotStorageUsed)
            if let allowed, let used { storage.coldAvailable = max(0, allowed - used) }
            var rawFields = raw.objectValue ?? [:]
            rawFields["status"] = nil
            return Result(email: info.email, offer: Offer(code: info.offer, name: offerName(info.offer)),
                          premium: info.offer == 1 || info.offer == 3, customer: (info.offer ?? 0) != 0,
                          subscriptionEnd: ISOTime.string(info.subscriptionEnd), storage: storage,
                          cdnCredits: info.cdnCredits, useCDN: info.usesCDN, uploadForbidden: info.uploadForbidden,
                          overquota: info.overQuota, raw: .object(rawFields))
        })
    }
}

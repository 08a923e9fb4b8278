import FichierAPI
import Logging

/// How an `Emulator` listens, stores and behaves. Everything but `apiKeys` has a default.
public struct EmulatorConfiguration: Sendable {
    /// Where file bytes go.
    public enum Storage: Sendable {
        /// Blobs on disk under the data directory, with Whirlpool checksums.
        case disk
        /// Metadata only: upload bodies are parsed and dropped, checksums are empty, downloads
        /// serve zero bytes of the recorded size. For benchmarks of clients.
        case discard
    }

    /// Address to bind.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free port (read it back from `Emulator.baseURL`).
    public var port: Int = 0
    /// Data directory; nil uses a fresh temporary directory that `stop()` removes.
    public var dataDirectory: String? = nil
    public var storage: Storage = .disk
    /// Bearer keys accepted by the API. They all belong to one emulated account.
    public var apiKeys: [String]
    /// Rate limits of the API; `.off` by default, `.real` models the service.
    public var rateLimits: RateLimits = .off
    /// How long a download token from get_token stays usable.
    public var tokenLifetime: Duration = .seconds(300)
    /// Node host name that get_upload_server hands out; nil answers the request's Host header.
    public var uploadNodeHost: String? = nil
    /// Delay added before every request is handled.
    public var latency: Duration = .zero
    /// How long end.pl keeps an upload report (the swagger says 2 hours).
    public var uploadReportLifetime: Duration = .seconds(7_200)
    /// Maximum items in one file/ls or folder/ls answer (the reference: 5,000); nil for no cap.
    public var listingCap: Int? = 5_000
    /// Delay before a newly uploaded file appears in listings (the service stores files after
    /// the redirect to end.pl); zero by default.
    public var listingDelay: Duration = .zero
    /// The account's e-mail address, reported by user/info.
    public var accountEmail: String = "emulator@example.com"
    /// Storage quota reported by user/info (`available_cold_storage`), in bytes.
    public var storageQuota: Int64 = 100_000_000_000_000
    /// Logger for request logs and warnings; nil keeps the emulator silent.
    public var logger: Logger? = nil

    public init(apiKeys: [String]) {
        self.apiKeys = apiKeys
    }
}

/// The service's API rate limits. Each limit can be switched off on its own (nil).
/// A refused call answers 403 `{"status":"KO","message":"Flood detected: IP Locked #374"}`
/// (`#38` for user/info, as JDownloader reports).
public struct RateLimits: Sendable, Equatable {
    /// API calls per second per key (per client address for anonymous calls), over a sliding 1 s window.
    public var callsPerSecond: Int?
    /// Minimum time between two listings of the same folder (per key and endpoint: folder/ls and file/ls count apart).
    public var folderListingInterval: Duration?
    /// Minimum time between two user/info calls per key (the service: 5 minutes per user).
    public var userInfoInterval: Duration?
    /// Minimum time between two file/ls calls with `folder_id: -1` per key (the service: 1 hour).
    public var accountListingInterval: Duration?
    /// After a refusal, every API call from that key and address is refused for this long.
    public var lockDuration: Duration

    public init(callsPerSecond: Int? = nil, folderListingInterval: Duration? = nil,
                userInfoInterval: Duration? = nil, accountListingInterval: Duration? = nil,
                lockDuration: Duration = .zero) {
        self.callsPerSecond = callsPerSecond
        self.folderListingInterval = folderListingInterval
        self.userInfoInterval = userInfoInterval
        self.accountListingInterval = accountListingInterval
        self.lockDuration = lockDuration
    }

    /// No limits.
    public static let off = RateLimits()
    /// The documented limits: 3 calls/s, 1 listing per folder per 30 s, user/info every 5 min,
    /// account-wide file listing every hour.
    public static let real = RateLimits(
        callsPerSecond: 3, folderListingInterval: .seconds(30), userInfoInterval: .seconds(300),
        accountListingInterval: .seconds(3_600))

    public var isOff: Bool {
        callsPerSecond == nil && folderListingInterval == nil && userInfoInterval == nil
            && accountListingInterval == nil
    }
}

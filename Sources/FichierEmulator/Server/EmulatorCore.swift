import Logging

/// The emulator's shared parts, handed to every handler.
final class EmulatorCore: Sendable {
    let configuration: EmulatorConfiguration
    let store: EmulatorStore
    let faults: FaultInjector
    let limiter = RateLimiter()
    let sessions: UploadSessions
    let tokens = DownloadTokens()
    let scans = ScanCache()
    let remote: RemoteUploads
    let keys: Set<String>
    let logger: Logger

    init(configuration: EmulatorConfiguration, dataDirectory: String) {
        self.configuration = configuration
        var logger = configuration.logger ?? Logger(label: "fichier.emulator", factory: { _ in SwiftLogNoOpLogHandler() })
        if configuration.logger == nil { logger.logLevel = .critical }
        self.logger = logger
        store = EmulatorStore(directory: dataDirectory, storage: configuration.storage, logger: logger)
        faults = FaultInjector(rateLimits: configuration.rateLimits, latency: configuration.latency)
        sessions = UploadSessions(reportLifetime: configuration.uploadReportLifetime)
        keys = Set(configuration.apiKeys.map(\.trimmingSpaces).filter { !$0.isEmpty })
        remote = RemoteUploads(store: store, logger: logger)
    }

    func isAcceptedKey(_ key: String?) -> Bool {
        guard let key else { return false }
        return keys.contains(key)
    }
}

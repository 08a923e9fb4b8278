import FichierAPI
import Logging

/// `initialize` (optional): version negotiation, client preferences, server description.
struct InitializeParams: Decodable, Sendable {
    struct ClientInfo: Decodable, Sendable {
        var name: String?
        var version: String?
    }

    struct EventCapabilities: Decodable, Sendable {
        /// `event/progress` wanted (default true).
        var progress: Bool?
        /// Minimum interval between two progress events of one request (≥ the server's).
        var progressIntervalMs: Int?
        /// `event/log` threshold: an RFC 5424 level name or `off` (default off).
        var log: LogThreshold?
    }

    struct ClientCapabilities: Decodable, Sendable {
        var events: EventCapabilities?
    }

    /// Versions the client speaks, preferred first.
    var protocolVersions: [Int]?
    /// A single version, for clients that speak only one.
    var protocolVersion: Int?
    var client: ClientInfo?
    /// The client's process id: the server ends as on EOF when that process exits.
    var processId: Int?
    var capabilities: ClientCapabilities?
}

struct InitializeResult: Encodable, Sendable {
    struct ServerInfo: Encodable, Sendable {
        var name: String
        var version: String
    }

    struct Capabilities: Encodable, Sendable {
        var methods: [String]
        var events: [String]
        var cancel: [String]
        var encryption: Bool
        var vault: Bool
    }

    struct Limits: Encodable, Sendable {
        var maxInFlight: Int
        var maxTransfers: Int
        var maxLineBytes: Int
    }

    var protocolVersion: Int
    var server: ServerInfo
    var capabilities: Capabilities
    var limits: Limits
}

enum ProtocolVersion {
    /// The versions this server speaks, newest first.
    static let supported = [1]
}

extension ServerCore {
    func initialize(_ params: InitializeParams, methods: [String]) throws -> InitializeResult {
        let requested = params.protocolVersions ?? params.protocolVersion.map { [$0] } ?? ProtocolVersion.supported
        guard let version = requested.first(where: { ProtocolVersion.supported.contains($0) }) else {
            var error = RPCError(.unsupportedVersion,
                                 "no common protocol version: the server speaks \(ProtocolVersion.supported)")
            error.data.supported = ProtocolVersion.supported
            error.data.requested = requested
            throw error
        }
        var watched: Int32?
        if let pid = params.processId {
            guard let pid32 = Int32(exactly: pid), ParentWatchdog.exists(pid32) else {
                throw RPCError.invalidParams(path: "processId", problem: "no process \(pid) is running")
            }
            watched = pid32
        }
        let events = params.capabilities?.events
        if let interval = events?.progressIntervalMs, interval < 0 {
            throw RPCError.invalidParams(path: "capabilities.events.progressIntervalMs", problem: "must not be negative")
        }
        let floor = configuration.progressInterval.nanosecondsClamped
        preferences.withLock { preferences in
            if let progress = events?.progress { preferences.progress = progress }
            if let interval = events?.progressIntervalMs {
                preferences.progressIntervalNs = max(floor, UInt64(interval) * 1_000_000)
            }
            if let log = events?.log { preferences.log = log }
        }
        if let watched { watchParent(watched) }
        table.withLock { $0.initialized = true }
        if let client = params.client {
            logger.info("client \(client.name ?? "?") \(client.version ?? "") initialized protocol \(version)")
        }
        return InitializeResult(
            protocolVersion: version,
            server: .init(name: configuration.serverName, version: configuration.serverVersion),
            capabilities: .init(methods: methods,
                                events: ["event/progress", "event/job", "event/log"],
                                cancel: Dispatcher.cancelMethods.sorted(),
                                encryption: configuration.encryption,
                                vault: configuration.vault),
            limits: .init(maxInFlight: configuration.maxInFlight,
                          maxTransfers: configuration.maxTransfers,
                          maxLineBytes: configuration.maxLineBytes))
    }
}

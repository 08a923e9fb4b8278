import Foundation
import Logging

/// A folder id; the root is 0.
public typealias FolderID = Int

/// The 1fichier REST client: one method per operation, every path from `Endpoint`, every API
/// call through the account-wide pacer. Names are given and returned in user form; the client
/// encodes them for 1fichier (`NameCodec`) and decodes what it lists.
public final class FichierClient: Sendable {
    public let configuration: FichierConfiguration
    let transport: HTTPTransport
    let logger: Logger
    let pacer: Pacer
    let pacerBroadcaster: EventBroadcaster<PacerEvent>
    let observers = FolderChangeObservers()

    public init(configuration: FichierConfiguration,
                transport: HTTPTransport = .shared,
                logger: Logger = Logger(label: "fichier.api")) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        let broadcaster = EventBroadcaster<PacerEvent>()
        pacerBroadcaster = broadcaster
        pacer = Pacer(pace: configuration.pace, maxBackoff: configuration.maxBackoff,
                      floodPause: configuration.floodPause, events: broadcaster)
    }

    /// Throttling and retry notices (flood pauses, retries). Each access returns a new stream
    /// that receives every later event.
    public var pacerEvents: AsyncStream<PacerEvent> {
        pacerBroadcaster.stream()
    }

    var timeouts: HTTPRequest.Timeouts {
        HTTPRequest.Timeouts(connect: configuration.connectTimeout, lowSpeedTime: configuration.lowSpeedTime)
    }

    func apiKey() async throws(FichierError) -> APIKey {
        do {
            return try await configuration.credentials.apiKey()
        } catch {
            if let error = error as? FichierError { throw error }
            if error is CancellationError { throw FichierError.cancelled() }
            throw FichierError(.authMissing, "no API key is available")
        }
    }
}

import Hummingbird
import NIOCore

/// Per-request context: the connection's channel, so the upload node can drop it on purpose
/// and rate limits can see the client's address.
struct EmulatorConnection: InitializableFromSource {
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        channel = source.channel
    }

    /// The client's IP address, or "unknown".
    var clientAddress: String {
        channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

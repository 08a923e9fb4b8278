import FichierAPI

/// What the 1fichier methods share in one server: the client (with its account-wide pacer),
/// the path resolver and its listing cache, the listing snapshots behind `fs/list` cursors,
/// the transfer pipeline, and the session's client-side encryption (nil without a vault).
public final class FichierService: Sendable {
    public let client: FichierClient
    public let resolver: PathResolver
    let snapshots: ListingSnapshots
    let pipeline: TransferPipeline
    let active = ActiveRequests()
    public let encryption: SessionEncryption?

    public init(client: FichierClient, encryption: SessionEncryption? = nil) {
        self.client = client
        self.encryption = encryption
        resolver = PathResolver(client: client)
        snapshots = ListingSnapshots()
        pipeline = TransferPipeline()
        let events = client.pacerEvents
        Task { [weak active] in
            for await event in events {
                guard let active else { return }
                active.forward(event)
            }
        }
    }

    var locator: RemoteLocator {
        RemoteLocator(resolver: resolver, names: names)
    }
}

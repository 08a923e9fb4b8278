/// A key a request holds while it runs, for per-path ordering. Requests that share a key run
/// in arrival order when at least one of them holds it `exclusive`; holders of a `shared` key
/// run side by side (a shared holder still waits for an earlier exclusive one, and an
/// exclusive holder for every earlier holder).
///
/// The 1fichier methods use it like a lock on a path and its ancestors: a mutation holds its
/// own path exclusively and every ancestor shared, so an upload into `/a/b` waits for an
/// earlier `fs/mkdir /a/b` or `fs/rmdir /a`, while uploads into `/a/b` run in parallel.
public struct OrderingKey: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var isShared: Bool

    public init(_ name: String, shared: Bool = false) {
        self.name = name
        self.isShared = shared
    }

    /// Held alone: ordered against every other holder.
    public static func exclusive(_ name: String) -> OrderingKey {
        OrderingKey(name, shared: false)
    }

    /// Held side by side with other shared holders; ordered against exclusive ones.
    public static func shared(_ name: String) -> OrderingKey {
        OrderingKey(name, shared: true)
    }

    public var description: String {
        isShared ? "shared:\(name)" : name
    }
}

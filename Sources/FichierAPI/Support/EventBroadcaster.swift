import Foundation

/// Fans events out to every current subscriber; each subscriber gets its own stream that
/// keeps the newest 256 events if it falls behind.
final class EventBroadcaster<Event: Sendable>: Sendable {
    private let subscribers = Locked<[UUID: AsyncStream<Event>.Continuation]>([:])

    func stream() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = UUID()
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ event: Event) {
        let targets = subscribers.withLock { Array($0.values) }
        for continuation in targets { continuation.yield(event) }
    }

    deinit {
        let targets = subscribers.withLock { Array($0.values) }
        for continuation in targets { continuation.finish() }
    }
}

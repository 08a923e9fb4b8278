import FichierAPI
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGTERM and SIGINT: the first one behaves like EOF on stdin (cancel, flush, exit 0);
/// a second one exits at once with 128 + the signal number (143, 130).
final class SignalWatcher: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let received = Locked(0)

    init(onFirst: @escaping @Sendable (Int32) -> Void) {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [received] in
                let count = received.withLock { value -> Int in
                    value += 1
                    return value
                }
                if count == 1 {
                    onFirst(number)
                } else {
                    _exit(128 + number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        sources.forEach { $0.cancel() }
        sources.removeAll()
    }
}

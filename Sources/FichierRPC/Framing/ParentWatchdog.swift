import FichierAPI
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Watches the process that drives the server (`--parent-pid`, or `initialize {processId}`)
/// and calls `onGone` once when it has exited: a host that dies without closing our stdin
/// (a crashed editor whose pipe lives on in another child) does not leave us running.
///
/// Polls every `interval`: the process is gone when `kill(pid, 0)` says it does not exist, or,
/// when it is our own parent, as soon as we were handed to another parent (an exited parent
/// that nobody reaped yet still answers `kill`).
public final class ParentWatchdog: @unchecked Sendable {
    private let timer: any DispatchSourceTimer
    private let fired = Locked(false)

    init(pid: Int32, interval: Duration, onGone: @escaping @Sendable () -> Void) {
        let watchesParent = getppid() == pid
        timer = DispatchSource.makeTimerSource(queue: .global())
        let nanoseconds = max(1, Int(interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000))
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds))
        timer.setEventHandler { [fired, timer] in
            let gone = (kill(pid, 0) != 0 && errno == ESRCH) || (watchesParent && getppid() != pid)
            guard gone, fired.withLock({ value -> Bool in defer { value = true }; return !value }) else { return }
            timer.cancel()
            onGone()
        }
        timer.resume()
    }

    func cancel() {
        timer.cancel()
    }

    /// Whether `pid` names a process that exists now (for validating a requested pid).
    public static func exists(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }
}

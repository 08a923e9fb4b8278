import CSodium
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide protections for a process that holds secrets: no core dumps, no ptrace
/// attach or /proc/PID/mem reads by other processes of the same user, libsodium ready.
public enum ProcessHygiene {
    /// What `apply` managed to do.
    public struct Report: Sendable {
        /// RLIMIT_CORE is now 0.
        public var coreDumpsDisabled: Bool
        /// The process is no longer dumpable (Linux PR_SET_DUMPABLE 0).
        public var dumpableCleared: Bool
    }

    /// Sets RLIMIT_CORE to 0, clears the dumpable flag (unless `allowDebugging`) and
    /// initialises libsodium. Safe to call more than once.
    @discardableResult
    public static func apply(allowDebugging: Bool = false) -> Report {
        Sodium.ensureInitialized()
        var limit = rlimit(rlim_cur: 0, rlim_max: 0)
        #if canImport(Glibc)
        let coreResource = __rlimit_resource_t(RLIMIT_CORE.rawValue)
        #else
        let coreResource = RLIMIT_CORE
        #endif
        let coreOK = setrlimit(coreResource, &limit) == 0
        var dumpableOK = false
        #if os(Linux)
        if !allowDebugging {
            dumpableOK = fichier_set_dumpable(0) == 0
        }
        #endif
        return Report(coreDumpsDisabled: coreOK, dumpableCleared: dumpableOK)
    }

    /// Whether the process is currently dumpable (Linux); nil where unknown.
    public static var isDumpable: Bool? {
        #if os(Linux)
        let value = fichier_get_dumpable()
        return value < 0 ? nil : value != 0
        #else
        return nil
        #endif
    }
}

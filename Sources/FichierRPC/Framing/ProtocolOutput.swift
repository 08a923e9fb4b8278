#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Guards the protocol stream of a `serve` process.
public enum ProtocolOutput {
    /// Moves standard output to a private descriptor for the protocol writer and points
    /// descriptor 1 at standard error, so a stray `print` from any library lands on stderr
    /// instead of corrupting the stream. Also ignores SIGPIPE (a closed pipe is then EPIPE,
    /// which the writer treats as "the client is gone"). Call once, before anything writes.
    /// - Returns: the private descriptor to pass to `RPCServer` as `output`.
    public static func claimStandardOutput() throws(RPCError) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let privateFD = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)
        guard privateFD >= 0 else {
            throw RPCError(.internalError, "cannot duplicate standard output (errno \(errno))")
        }
        guard dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else {
            throw RPCError(.internalError, "cannot redirect standard output to standard error (errno \(errno))")
        }
        return privateFD
    }
}

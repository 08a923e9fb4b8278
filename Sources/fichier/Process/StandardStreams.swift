import ArgumentParser
import FichierRPC
import Logging

/// How a command of this executable uses stdout and stderr.
enum StandardStreams {
    /// Every log line goes to stderr, at `level` and above.
    static func logToStandardError(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// For the commands whose stdout carries a protocol (`serve`, `annex-remote`): the real
    /// stdout is kept for the protocol only (descriptor 1 becomes stderr), and logs go to
    /// stderr. Returns the protocol's descriptor. Call before anything writes.
    static func claimForProtocol(logLevel level: Logger.Level) throws -> Int32 {
        let output: Int32
        do {
            output = try ProtocolOutput.claimStandardOutput()
        } catch {
            throw ValidationError(error.message)
        }
        logToStandardError(level: level)
        return output
    }
}

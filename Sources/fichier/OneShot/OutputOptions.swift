import ArgumentParser
import Logging

/// Output switches of the one-shot verbs.
struct OutputOptions: ParsableArguments {
    @Flag(name: .customLong("json"), help: "Print the method's result object as one JSON line (errors as JSON on stderr).")
    var json = false

    @Option(name: .customLong("log-level"), help: "stderr log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning
}

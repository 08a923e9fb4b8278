/// Limits and switches of one server. The limits are advertised in `initialize`.
public struct ServerConfiguration: Sendable {
    /// Requests answered concurrently (running or queued); beyond it: 1004 busy.
    public var maxInFlight = 64
    /// `.transfer` methods running at once; the others queue.
    public var maxTransfers = 4
    /// Longest accepted input line in bytes (without its LF); longer lines get -32600.
    public var maxLineBytes = 1 << 20
    /// The name and version reported by `initialize`.
    public var serverName = "fichier"
    public var serverVersion = "0.1.0"
    /// Whether this build offers client-side encryption and a vault (reported by `initialize`).
    public var encryption = false
    public var vault = false
    /// Register `debug/*` methods (for tests and client authors).
    public var debugMethods = false
    /// Answer -32002 to everything before `initialize` (LSP behaviour); off by default.
    public var requireInitialize = false
    /// Handle SIGTERM and SIGINT like EOF (a second one exits at once). For processes only.
    public var handleSignals = false
    /// How long cancelled requests get to finish (clean up, write their terminal response)
    /// at EOF, on a signal or on `shutdown` before the server answers for them.
    public var cancelGracePeriod: Duration = .seconds(5)
    /// Minimum interval between two `event/progress` of one request (clients may raise it).
    public var progressInterval: Duration = .milliseconds(250)
    /// A running transfer sends `event/progress` at least this often, even without progress.
    public var heartbeatInterval: Duration = .seconds(10)
    /// Output bytes waiting for the client above which the server stops reading input.
    public var outputHighWaterBytes = 16 << 20
    /// A process to watch (`--parent-pid`): when it exits, the server ends as on EOF. A client
    /// can also name itself in `initialize {processId}`.
    public var parentProcessID: Int32?
    /// How often that process is checked.
    public var parentPollInterval: Duration = .seconds(3)

    public init() {}
}

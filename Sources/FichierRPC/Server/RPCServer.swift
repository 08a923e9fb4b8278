import Logging

/// The JSON-RPC 2.0 co-process server: one compact message per line on `input`/`output`.
///
/// Threads: a reader thread reads `input` with blocking `read(2)` and dispatches in arrival
/// order; handlers run as tasks; one writer thread owns `output`. The server never closes
/// the descriptors it is given.
public final class RPCServer: Sendable {
    private let input: Int32
    private let core: ServerCore
    private let methods: MethodRegistry

    /// - Parameters:
    ///   - methods: the composer's methods (1fichier operations). The session methods
    ///     (`initialize`, `ping`, `shutdown`, `logging/setLevel`) are added here and take
    ///     precedence; `debug/*` too when `configuration.debugMethods` is set.
    public init(input: Int32, output: Int32, configuration: ServerConfiguration = ServerConfiguration(),
                methods: MethodRegistry = MethodRegistry(), logger: Logger = Logger(label: "fichier.rpc")) {
        self.input = input
        let core = ServerCore(output: output, configuration: configuration, logger: logger)
        self.core = core
        var registry = methods
        for name in MethodRegistry.sessionMethodNames where registry.contains(name) {
            logger.warning("method \(name) is a session method; the composer's version is ignored")
        }
        if configuration.debugMethods {
            DebugMethods.register(in: &registry)
        }
        let names = Array(Set(registry.methodNames + MethodRegistry.sessionMethodNames)).sorted()
        registry.registerSessionMethods(core: core, allMethods: names)
        self.methods = registry
    }

    /// The methods this server answers.
    public var methodNames: [String] {
        methods.methodNames
    }

    /// Serves until EOF on input, a signal (when configured), a closed output, the exit of the
    /// watched process or `shutdown {exit: true}`; returns the exit status (0). Call once.
    public func run() async -> Int32 {
        let core = self.core
        core.writer.setBrokenHandler { core.beginEnding(.outputClosed) }
        core.writer.start()
        let signals = core.configuration.handleSignals
            ? SignalWatcher { number in core.beginEnding(.signal(number)) }
            : nil
        let dispatcher = Dispatcher(core: core, methods: methods)
        let reader = LineReader(fd: input, maxLineBytes: core.configuration.maxLineBytes,
                                delegate: dispatcher, beforeBatch: { core.writer.waitForRoom() })
        reader.start()
        if let parent = core.configuration.parentProcessID { core.watchParent(parent) }
        let status = await core.exitStatus()
        signals?.cancel()
        core.stopWatchingParent()
        return status
    }
}

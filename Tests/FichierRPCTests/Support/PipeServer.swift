import FichierAPI
import FichierRPC
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// An `RPCServer` running in this process over two real pipes.
final class PipeServer: @unchecked Sendable {
    let server: RPCServer
    let output: LineCollector
    private let toServer: Int32
    private let serverInput: Int32
    private let serverOutput: Int32
    private let fromServer: Int32
    private let status = Locked<Int32?>(nil)
    private let inputClosed = Locked(false)

    init(configure: (inout ServerConfiguration) -> Void = { _ in },
         methods: MethodRegistry = MethodRegistry()) throws {
        var inputPipe: [Int32] = [0, 0]
        var outputPipe: [Int32] = [0, 0]
        guard pipe(&inputPipe) == 0, pipe(&outputPipe) == 0 else { throw HarnessError("pipe failed") }
        serverInput = inputPipe[0]
        toServer = inputPipe[1]
        fromServer = outputPipe[0]
        serverOutput = outputPipe[1]
        var configuration = ServerConfiguration()
        configuration.debugMethods = true
        configuration.cancelGracePeriod = .seconds(2)
        configure(&configuration)
        var logger = Logger(label: "test.rpc")
        logger.logLevel = .critical
        server = RPCServer(input: serverInput, output: serverOutput, configuration: configuration,
                           methods: methods, logger: logger)
        output = LineCollector(fd: fromServer)
        let server = self.server
        let status = self.status
        Task {
            let code = await server.run()
            status.withLock { $0 = code }
        }
    }

    deinit {
        closeInput()
    }

    /// Writes one line (a LF is added).
    func send(_ line: String) {
        sendRaw(Array((line + "\n").utf8))
    }

    func sendRaw(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(toServer, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    func request(_ id: Int, _ method: String, _ params: String? = nil) {
        send(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "") + "}")
    }

    func closeInput() {
        let first = inputClosed.withLock { closed -> Bool in
            defer { closed = true }
            return !closed
        }
        if first { close(toServer) }
    }

    /// Waits for `run()` to return (after EOF or `shutdown {exit}`), then closes the
    /// server's output descriptor. (Its input descriptor stays open: the reader thread may
    /// still be blocked on it, and closing it could hand its number to another test.)
    func exitStatus(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        var code = self.status.withLock { $0 }
        while code == nil {
            if ContinuousClock.now > deadline { throw HarnessError("the server did not end") }
            try await Task.sleep(for: .milliseconds(5))
            code = self.status.withLock { $0 }
        }
        guard let status = code else { throw HarnessError("the server did not end") }
        close(serverOutput)
        try await output.waitForEnd()
        close(fromServer)
        return status
    }
}

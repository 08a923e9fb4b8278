import ArgumentParser
import FichierCrypto
import FichierRPC
#if canImport(Glibc)
import Glibc
#endif

/// Turns errors of the vault and crypt commands into one stderr line and an exit status from
/// the protocol's error table (`RPCErrorCode.exitCode`), the same table as every other verb:
/// 10 vault locked/missing or no key for a file, 11 vault corrupt, 12 wrong passphrase,
/// 13 out of memory for the key derivation, 14 KDF parameters above the cap, 6 integrity or
/// local I/O, 2 bad arguments, 1 anything else. Messages come from the error types, which
/// never include secrets.
enum CLIFailure {
    /// The protocol error `error` stands for.
    static func rpcError(for error: any Error) -> RPCError {
        switch error {
        case let rpc as RPCError: rpc
        case let convertible as any RPCErrorConvertible: convertible.rpcError
        case let cli as CLIError: RPCError.mapping(kind: cli.kind, message: cli.description)
        default: RPCError(.internalError, "\(error)")
        }
    }

    /// The exit status for `error`.
    static func exitCode(for error: any Error) -> Int32 {
        exitStatus(for: rpcError(for: error))
    }

    /// Prints `fichier: message` on stderr and returns the exit code to throw.
    static func report(_ error: any Error, context: String? = nil) -> ExitCode {
        if let exit = error as? ExitCode { return exit }
        let text = context.map { "\($0): \(error)" } ?? "\(error)"
        Terminal.error(text)
        return ExitCode(exitCode(for: error))
    }

    /// Runs `body`, mapping any error through `report`.
    static func run(context: String? = nil, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            throw report(error, context: context)
        }
    }
}

/// Plain output helpers: results on stdout, everything else on stderr.
enum Terminal {
    static func error(_ text: String) {
        write(2, "fichier: \(text)\n")
    }

    static func note(_ text: String) {
        write(2, "\(text)\n")
    }

    static func out(_ text: String) {
        write(1, text)
    }

    static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        bytes.removeAll()
    }
}

/// A CLI-level error with a plain message and the kind of the error table it falls under
/// (`invalid_argument` by default: exit 2; `local_io`: exit 6; `conflict`: exit 6).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let kind: String
    init(_ description: String, kind: String = "invalid_argument") {
        self.description = description
        self.kind = kind
    }
}

import ArgumentParser
import FichierCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Turns errors of the vault and crypt commands into one stderr line and a stable exit code.
/// Messages come from the error types, which never include secrets.
enum CLIFailure {
    /// Exit codes of the vault and crypt commands (documented in protocol/VAULT.md).
    enum Code: Int32 {
        case general = 1
        case badSecret = 3
        case corrupt = 4
        case outOfMemory = 5
        case kdfLimit = 6
        case notFound = 7
        case integrity = 8
        case locked = 9
    }

    static func code(for error: any Error) -> Code {
        if let vault = error as? VaultError {
            switch vault {
            case .badSecret, .badKeyFile: return .badSecret
            case .corrupt, .unsupportedVersion: return .corrupt
            case .outOfMemory: return .outOfMemory
            case .kdfLimitExceeded: return .kdfLimit
            case .notFound: return .notFound
            case .locked: return .locked
            default: return .general
            }
        }
        if let age = error as? AgeError {
            switch age {
            case .noMatch: return .badSecret
            case .resources: return .outOfMemory
            case .invalidKey: return .general
            default: return .integrity
            }
        }
        return .general
    }

    /// Prints `fichier: message` on stderr and returns the exit code to throw.
    static func report(_ error: any Error, context: String? = nil) -> ExitCode {
        if let exit = error as? ExitCode { return exit }
        let text = context.map { "\($0): \(error)" } ?? "\(error)"
        Terminal.error(text)
        return ExitCode(code(for: error).rawValue)
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

/// A CLI-level error with a plain message.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

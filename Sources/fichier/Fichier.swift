import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

@main
struct Fichier: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fichier",
        abstract: "A 1fichier.com client that other programs drive as a co-process.",
        discussion: """
            `fichier serve` speaks JSON-RPC 2.0, one message per line, on stdin/stdout \
            (protocol/PROTOCOL.md). The other verbs run one method each through the same dispatcher \
            and print its result for humans, or exactly the result object with --json.

            Credentials: $FICHIER_API_KEY or --api-key-file FILE (never on the command line), else the \
            vault (`fichier vault init`, protocol/VAULT.md), unlocked from --passphrase-fd, \
            --passphrase-file, --key-file, $FICHIER_PASSPHRASE_FILE, $FICHIER_KEYFILE or \
            $FICHIER_PASSPHRASE, or a terminal prompt. The vault also holds the keys of client-side \
            encryption: `upload --encrypt`, `download --decrypt`, `encrypt`, `decrypt` (age format). \
            $FICHIER_API_URL / --api-url and $FICHIER_PACE_MS / --pace change the endpoint and the \
            pacing. --sandbox [DIR] uses a built-in emulator instead of 1fichier.com (DIR keeps its \
            data between commands).

            Exit status of every command (the protocol's error table):
              0    success
              1    internal error, unexpected reply from 1fichier
              2    usage error, invalid params, argument or configuration
              3    remote folder not found
              4    remote file not found
              5    busy, rate limited, network trouble (may work later)
              6    conflict, folder not empty, too large, unsupported, not allowed, local I/O, integrity
              7    no API key, key rejected, account restricted, customer only, owner locked
              8    quota exceeded
              10   vault locked or missing, or no key of the vault opens the file
              11   vault corrupt
              12   wrong vault passphrase or key file
              13   the key derivation could not allocate its memory
              14   the vault asks for more key-derivation work than allowed
              130  cancelled (Ctrl-C)
            Any other status means failure.
            """,
        subcommands: [
            ServeCommand.self,
            AccountCommand.self, ListCommand.self, StatCommand.self, MkdirCommand.self, RmdirCommand.self,
            RemoveCommand.self, MoveCommand.self, CopyCommand.self, RenameCommand.self,
            UploadCommand.self, DownloadCommand.self, LinkCommand.self,
            RemoteUploadCommand.self, RemoteStatusCommand.self,
            VaultCommand.self, EncryptCommand.self, DecryptCommand.self,
            EmulatorCommand.self, CompletionsCommand.self,
        ])

    /// Parses (after the `--sandbox [DIR]` rewrite) and runs; usage errors exit 2, as in the
    /// error table, instead of ArgumentParser's 64.
    static func main() async {
        let arguments = SandboxArgument.rewrite(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

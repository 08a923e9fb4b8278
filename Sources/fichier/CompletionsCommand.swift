import ArgumentParser

/// `fichier completions bash|zsh|fish`: the shell completion script, generated from the
/// command definitions.
struct CompletionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completions", abstract: "Print a shell completion script (bash, zsh or fish).",
        discussion: """
            bash: fichier completions bash > /etc/bash_completion.d/fichier (or source it from ~/.bashrc)
            zsh:  fichier completions zsh > "${fpath[1]}/_fichier"
            fish: fichier completions fish > ~/.config/fish/completions/fichier.fish
            """)

    @Argument(help: "bash, zsh or fish.")
    var shell: String

    func validate() throws {
        guard CompletionShell(rawValue: shell) != nil else {
            throw ValidationError("unknown shell \(shell); expected bash, zsh or fish")
        }
    }

    func run() throws {
        guard let completion = CompletionShell(rawValue: shell) else { return }
        print(Fichier.completionScript(for: completion), terminator: "")
    }
}

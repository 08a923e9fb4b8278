import ArgumentParser

@main
struct Fichier: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fichier",
        abstract: "A 1fichier.com client that other programs drive as a co-process.",
        subcommands: [ServeCommand.self, EmulatorCommand.self])
}

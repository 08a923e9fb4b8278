import Foundation

/// One side of a conversation with git-annex: the unnumbered one, or one job of the ASYNC
/// extension. Requests arrive in order and are handled one at a time; while handling one, the
/// remote may ask git-annex questions (`GETCONFIG`, `DIRHASH-LOWER` …) whose answers come next
/// on the same conversation. Used by one task only.
final class AnnexConversation {
    /// The job number (nil without the ASYNC extension).
    let job: Int?
    let channel: AnnexChannel
    private var messages: AsyncStream<String>.Iterator

    init(job: Int?, channel: AnnexChannel, messages: AsyncStream<String>) {
        self.job = job
        self.channel = channel
        self.messages = messages.makeAsyncIterator()
    }

    /// The next message from git-annex; nil at end of input.
    func next() async -> String? {
        await messages.next()
    }

    func send(_ message: String) {
        channel.send(message, job: job)
    }

    /// Sends a query and returns the parameter of its `VALUE` answer.
    func value(_ query: String) async throws(AnnexFailure) -> String {
        send(query)
        guard let answer = await next() else { throw AnnexFailure.endOfInput }
        let message = AnnexMessage(answer)
        switch message.command {
        case "VALUE": return message.rest
        case "ERROR": throw AnnexFailure.fatal("git-annex: \(message.rest)")
        default: throw AnnexFailure.fatal("expected VALUE in answer to \(query), got: \(answer)")
        }
    }

    /// `GETCONFIG name`, trimmed; nil when unset.
    func config(_ name: String) async throws(AnnexFailure) -> String? {
        let value = try await value("GETCONFIG \(name)").trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }
}

/// Why a conversation cannot go on.
enum AnnexFailure: Error {
    /// git-annex closed its end.
    case endOfInput
    /// A protocol error: the remote answers `ERROR message` and exits.
    case fatal(String)
}

/// One line of git-annex's external special remote protocol: a command word, then a fixed
/// number of parameters separated by single spaces, the last of which may contain spaces.
/// There is no escaping; empty parameters keep their separating spaces.
struct AnnexMessage: Equatable {
    /// The command word (`TRANSFER`, `CHECKPRESENT`, `VALUE` …).
    let command: String
    /// Everything after the command word and its space ("" when there is none).
    let rest: String

    init(_ line: String) {
        if let space = line.firstIndex(of: " ") {
            command = String(line[..<space])
            rest = String(line[line.index(after: space)...])
        } else {
            command = line
            rest = ""
        }
    }

    /// The first `count` parameters, the last one taking the rest of the line; nil when the
    /// line has fewer.
    func parameters(_ count: Int) -> [String]? {
        guard count > 0 else { return [] }
        let parts = rest.split(separator: " ", maxSplits: count - 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == count else { return nil }
        return parts
    }

    /// A protocol line from words: one space between them, and no line break anywhere (a
    /// message with line breaks would be read as several lines).
    static func line(_ words: String...) -> String {
        words.map(oneLine).joined(separator: " ")
    }

    /// `text` with CR and LF turned into spaces.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }
}

/// The `J n` framing of the ASYNC extension: once negotiated, every message in both
/// directions (but `ERROR`) starts with `J` and the job number git-annex chose.
enum AnnexJobFrame {
    /// The job number and the message of a `J n message` line; nil for any other line.
    static func split(_ line: String) -> (job: Int, message: String)? {
        guard line.hasPrefix("J ") else { return nil }
        let body = line.dropFirst(2)
        guard let space = body.firstIndex(of: " "), let job = Int(body[..<space]), job >= 0 else { return nil }
        return (job, String(body[body.index(after: space)...]))
    }

    static func wrap(_ message: String, job: Int?) -> String {
        guard let job else { return message }
        return "J \(job) \(message)"
    }
}

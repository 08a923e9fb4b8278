import Foundation
import Testing

/// The README's `make run` session, typed into `fichier serve --sandbox` line by line: every
/// answer must be the one the README shows (up to generated values: ids, URLs, dates, hashes).
@Suite("README session")
struct ReadmeTests {
    static func sessionLines() throws -> [String] {
        let text = try String(contentsOfFile: Repository.path("README.md"), encoding: .utf8)
        guard let start = text.range(of: "<!-- session:start -->"), let end = text.range(of: "<!-- session:end -->"),
              start.upperBound < end.lowerBound else {
            throw TestFailure("README.md has no session block")
        }
        return text[start.upperBound..<end.lowerBound].split(separator: "\n").map(String.init).filter { $0.hasPrefix("{") }
    }

    /// Equal, except values that are generated anew each run.
    static func alike(_ shown: Any, _ actual: Any, key: String = "") -> Bool {
        switch (shown, actual) {
        case (let shown as [String: Any], let actual as [String: Any]):
            return Set(shown.keys) == Set(actual.keys) && shown.allSatisfy { alike($0.value, actual[$0.key]!, key: $0.key) }
        case (let shown as [Any], let actual as [Any]):
            return shown.count == actual.count && zip(shown, actual).allSatisfy { alike($0, $1, key: key) }
        case (let shown as String, let actual as String):
            if ["url", "fileURL", "date", "created", "expiresAt", "whirlpool", "checksum"].contains(key) {
                return !actual.isEmpty
            }
            return shown == actual
        case (let shown as NSNumber, let actual as NSNumber):
            return ["id", "folderId"].contains(key) || shown == actual
        case (is NSNull, is NSNull):
            return true
        default:
            return false
        }
    }

    @Test func typedSessionAnswersAsShown() async throws {
        let lines = try Self.sessionLines()
        let messages = try lines.map { line -> [String: Any] in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TestFailure("README line is not a JSON object: \(line)")
            }
            return object
        }
        let requests = messages.filter { ($0["method"] as? String).map { !$0.hasPrefix("event/") } ?? false }
        #expect(requests.count >= 5)
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let serve = try ServeSession.sandbox(scratch.file("sandbox"))
        for (line, message) in zip(lines, messages) {
            guard let method = message["method"] as? String, !method.hasPrefix("event/") else { continue }
            let id = try #require(message["id"] as? Int)
            serve.send(line)
            let response = try await serve.output.response(id)
            let shown = try #require(messages.first { ($0["id"] as? Int) == id && $0["method"] == nil })
            #expect(Self.alike(shown, response.object), "answer to \(line)\n  shown:  \(shown)\n  actual: \(response.line)")
        }
        #expect(try await serve.finish() == 0)
    }

    @Test func makeRunStartsTheSandboxServer() throws {
        let makefile = try String(contentsOfFile: Repository.path("Makefile"), encoding: .utf8)
        let lines = makefile.split(separator: "\n")
        guard let target = lines.firstIndex(where: { $0.hasPrefix("run:") }) else {
            throw TestFailure("the Makefile has no run target")
        }
        let recipe = lines[(target + 1)...].prefix { $0.hasPrefix("\t") }
        #expect(recipe.contains { $0.contains("serve --sandbox") })
        #expect(try String(contentsOfFile: Repository.path("README.md"), encoding: .utf8).contains("$ make run"))
    }
}

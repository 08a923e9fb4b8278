import Foundation
import Testing

/// protocol/examples/*.jsonl, each run against a fresh `fichier serve --sandbox`, strictly;
/// everything the server sent in those runs is then checked against protocol/schema.
@Suite("Conformance transcripts")
struct TranscriptTests {
    static var names: [String] {
        let directory = Repository.path("protocol/examples")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".jsonl") }.sorted()
    }

    @Test(arguments: names)
    func transcriptPasses(_ name: String) async throws {
        let text = try String(contentsOfFile: Repository.path("protocol/examples/\(name)"), encoding: .utf8)
        let transcript = try Transcript(name: name, text: text)
        #expect(!transcript.steps.isEmpty)
        let (sent, received) = try await transcript.run()
        let check = try await SchemaCheck.run(sent: sent, received: received)
        #expect(check.status == 0, "\(name): \(check.report)")
    }

    @Test func everyExampleFileIsFound() {
        #expect(Self.names.count >= 4)
    }
}

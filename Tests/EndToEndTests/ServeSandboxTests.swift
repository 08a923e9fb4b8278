import Foundation
import Testing

/// `fichier serve --sandbox DIR` spawned as a child: every method, pipelining, and the
/// protocol-only stdout.
@Suite("fichier serve --sandbox")
struct ServeSandboxTests {
    /// Every byte of stdout belongs to a complete JSON-RPC line.
    static func expectProtocolOnly(_ raw: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(raw.last == 0x0A, "stdout does not end with a newline", sourceLocation: sourceLocation)
        for line in raw.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            #expect(object?["jsonrpc"] as? String == "2.0",
                    "not a protocol line: \(String(decoding: line, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }

    @Test func everyMethodAgainstTheSandbox() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let local = try scratch.write("report.txt", "quarterly numbers, final\n")
        let serve = try ServeSession.sandbox(scratch.file("sandbox"))

        let initialize = try await serve.result("initialize", #"{"capabilities":{"events":{"log":"info"}}}"#)
        let methods = ((initialize["capabilities"] as? [String: Any])?["methods"] as? [String]) ?? []
        for name in ["account/info", "fs/list", "fs/stat", "fs/mkdir", "fs/rmdir", "fs/delete", "fs/rename", "fs/move",
                     "fs/copy", "transfer/upload", "transfer/download", "transfer/remote", "transfer/remote/status",
                     "link/get"] {
            #expect(methods.contains(name), "initialize does not list \(name)")
        }
        #expect((try await serve.result("account/info"))["premium"] as? Bool == true)
        #expect((try await serve.result("fs/mkdir", #"{"path":"/work/2026","parents":true}"#))["created"] as? Bool == true)
        let upload = try await serve.result("transfer/upload",
                                            #"{"local":\#(jsonString(local)),"remote":"/work/2026/","verify":true}"#)
        let url = try #require(upload["url"] as? String)
        #expect(upload["verified"] as? Bool == true)
        let listing = try await serve.result("fs/list", #"{"path":"/work/2026"}"#)
        #expect((listing["files"] as? [[String: Any]])?.first?["url"] as? String == url)
        #expect((try await serve.result("fs/stat", #"{"url":"\#(url)"}"#))["path"] as? String == "/work/2026/report.txt")
        #expect((try await serve.result("fs/rename", #"{"path":"/work/2026/report.txt","name":"q4.txt"}"#))["renamed"] as? Bool == true)
        let copy = try await serve.result("fs/copy", #"{"url":"\#(url)","to":"/work","rename":"copy.txt"}"#)
        #expect((copy["items"] as? [[String: Any]])?.first?["path"] as? String == "/work/copy.txt")
        #expect((try await serve.result("fs/move", #"{"path":"/work/copy.txt","to":"/work/2026"}"#))["to"] as? String == "/work/2026")
        let target = scratch.file("q4.txt")
        let download = try await serve.result("transfer/download",
                                              #"{"remote":"/work/2026/q4.txt","local":\#(jsonString(target)),"verify":true}"#)
        #expect(download["verified"] as? Bool == true)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "quarterly numbers, final\n")
        let link = try await serve.result("link/get", #"{"path":"/work/2026/q4.txt"}"#)
        let direct = try #require(link["url"] as? String)
        let remote = try await serve.result("transfer/remote", #"{"urls":[\#(jsonString(direct))],"to":"/fetched"}"#)
        let task = try #require(remote["id"] as? Int)
        #expect((try await serve.result("transfer/remote/status", #"{"id":\#(task)}"#))["id"] as? Int == task)
        #expect(((try await serve.result("transfer/remote/status"))["tasks"] as? [Any])?.isEmpty == false)
        let deleted = try await serve.result("fs/delete", #"{"path":"/work/2026/copy.txt"}"#)
        #expect(deleted["removed"] as? Int == 1)
        let removed = try await serve.result("fs/rmdir", #"{"path":"/work","recursive":true}"#)
        #expect(removed["removedFolders"] as? Int == 2)

        // Main errors.
        #expect(try await serve.call("fs/list", #"{"path":"/work"}"#).errorCode == 1300)
        #expect(try await serve.call("fs/stat", #"{"url":"https://1fichier.com/?zzzzzzzzzzzzzzzzzzzz"}"#).errorCode == 1300)
        _ = try await serve.result("fs/mkdir", #"{"path":"/dup"}"#)
        #expect(try await serve.call("fs/mkdir", #"{"path":"/dup"}"#).errorCode == 1301)
        #expect(try await serve.call("transfer/upload", #"{"remote":"/dup/"}"#).errorCode == -32602)
        #expect(try await serve.call("transfer/download", #"{"remote":"/dup/none","local":"/tmp/x"}"#).errorCode == 1300)
        #expect(try await serve.call("link/get", #"{"path":"/dup"}"#).errorCode == 1300)
        #expect(try await serve.call("fs/rmdir", #"{"path":"/"}"#).errorCode == 1305)

        #expect(try await serve.finish() == 0)
        let messages = try serve.output.messages()
        #expect(messages.contains { $0.method == "event/progress" && $0.params?["phase"] as? String == "uploading" })
        #expect(messages.contains { $0.method == "event/progress" && $0.params?["phase"] as? String == "downloading" })
        Self.expectProtocolOnly(serve.output.raw)
        // The direct link is a secret: it reached the client, never the log.
        #expect(!serve.child.errors.text.contains(direct))
        let check = try await SchemaCheck.run(sent: serve.sent, received: serve.output.raw)
        #expect(check.status == 0, "\(check.report)")
    }

    @Test func twoHundredPipelinedRequestsAreAnsweredOnce() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let serve = try ServeSession.sandbox(scratch.file("sandbox"))
        _ = try await serve.result("fs/mkdir", #"{"path":"/pipe"}"#)
        var ids: [Int] = []
        var stats: [Int] = []
        for index in 0..<200 {
            switch index % 8 {
            case 0: ids.append(serve.request("ping"))
            case 1: ids.append(serve.request("fs/list", #"{"path":"/pipe"}"#))
            case 2: ids.append(serve.request("fs/stat", #"{"path":"/pipe"}"#))
            case 3: ids.append(serve.request("transfer/upload", #"{"data":"cGlwZWxpbmVk","remote":"/pipe/f\#(index).txt"}"#))
            case 4: ids.append(serve.request("fs/mkdir", #"{"path":"/pipe/d\#(index)","parents":true}"#))
            case 5:
                ids.append(serve.request("fs/stat", #"{"path":"/pipe/f\#(index - 2).txt"}"#))
                stats.append(ids[ids.count - 1])
            case 6: ids.append(serve.request("fs/list", #"{"path":"/missing\#(index)"}"#))
            default: ids.append(serve.request("no/such/method"))
            }
        }
        let messages = try await serve.output.wait(timeout: .seconds(120), "200 responses") { list in
            Set(list.filter(\.isResponse).compactMap(\.id)).isSuperset(of: Set(ids.map(AnyHashable.init)))
        }
        let responses = messages.filter(\.isResponse)
        for id in ids {
            #expect(responses.filter { $0.id == AnyHashable(id) }.count == 1, "request \(id)")
        }
        // Failures are the expected ones (missing folders, unknown methods) or `busy` beyond maxInFlight.
        for response in responses where response.error != nil {
            #expect([1300, -32601, 1004].contains(response.errorCode ?? 0), "\(response.line)")
        }
        // Each stat of an uploaded file came after its upload (same path, arrival order).
        for response in responses where stats.contains(response.id as? Int ?? -1) && response.errorCode != 1004 {
            #expect(response.result?["type"] as? String == "file", "\(response.line)")
        }
        #expect(try await serve.finish() == 0)
        Self.expectProtocolOnly(serve.output.raw)
    }

    @Test func helpAndCompletions() async throws {
        let help = try await runFichier(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit status"))
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        for shell in ["bash", "zsh", "fish"] {
            let outcome = try await runFichier(["completions", shell])
            #expect(outcome.status == 0)
            #expect(outcome.stdout.contains("upload") && outcome.stdout.contains("remote-status"), "\(shell)")
            let script = try scratch.write("fichier.\(shell)", outcome.stdout)
            if shell == "bash" {
                let check = Process()
                check.executableURL = URL(fileURLWithPath: "/bin/bash")
                check.arguments = ["-n", script]
                try check.run()
                check.waitUntilExit()
                #expect(check.terminationStatus == 0, "bash -n rejects the completion script")
            }
        }
        #expect(try await runFichier(["completions", "tcsh"]).status != 0)
    }
}

import Foundation
import Testing

/// What the server really sends, checked against protocol/schema by
/// scripts/check-protocol-schema.py (python3 + jsonschema).
@Suite("Schema conformance")
struct SchemaConformanceTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct CheckResult {
        var status: Int32
        var report: String
    }

    /// Runs the checker on a recorded session.
    static func check(requests: [String], output: [UInt8]) throws -> CheckResult {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fichier-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sent = directory.appendingPathComponent("sent.jsonl")
        let received = directory.appendingPathComponent("received.jsonl")
        try Data(requests.joined(separator: "\n").utf8).write(to: sent)
        try Data(output).write(to: received)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repository.appendingPathComponent("scripts/check-protocol-schema.py").path,
                             "--requests", sent.path, "--output", received.path,
                             "--schema-dir", repository.appendingPathComponent("protocol/schema").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let report = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return CheckResult(status: process.terminationStatus, report: report)
    }

    @Test func everythingTheServerSendsMatchesTheSchema() async throws {
        let serve = try ServeProcess(["--debug-methods", "--max-transfers", "1", "--max-in-flight", "6",
                                      "--max-line-bytes", "1024"])
        var sent: [String] = []
        func send(_ line: String) {
            sent.append(line)
            serve.send(line)
        }
        send(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersions":[1],"client":{"name":"schema-test","version":"1"},"capabilities":{"events":{"progress":true,"progressIntervalMs":250,"log":"debug"}}}}"#)
        send(#"{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersions":[5]}}"#)
        send(#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#)
        send(#"{"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{"level":"info"}}"#)
        send(#"{"jsonrpc":"2.0","id":4,"method":"debug/transfer","params":{"bytes":5000,"chunks":5,"intervalMs":20}}"#)
        send(#"{"jsonrpc":"2.0","id":5,"method":"debug/transfer","params":{"bytes":5000,"chunks":5,"intervalMs":20}}"#)
        send(#"{"jsonrpc":"2.0","id":6,"method":"debug/sleep","params":{"ms":10000}}"#)
        send("not json")
        send(#"[{"jsonrpc":"2.0","id":7,"method":"ping"}]"#)
        send(#"{"jsonrpc":"2.0","id":8,"method":"no/such/method"}"#)
        send(#"{"jsonrpc":"2.0","id":9,"method":"debug/transfer","params":{"bytes":"many"}}"#)
        send(#"{"jsonrpc":"2.0","id":10,"method":"debug/error","params":{"code":1200,"retryAfterMs":30000}}"#)
        send(#"{"jsonrpc":"2.0","id":11,"method":"debug/error","params":{"code":-32603}}"#)
        send(#"{"jsonrpc":"2.0","id":12,"method":"debug/echo","params":{"text":""# + String(repeating: "x", count: 2000) + #""}}"#)
        _ = try await serve.output.response(5)
        send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":6}}"#)
        _ = try await serve.output.response(6)
        for id in 13...19 { send(#"{"jsonrpc":"2.0","id":\#(id),"method":"debug/sleep","params":{"ms":300}}"#) }
        send(#"{"jsonrpc":"2.0","id":20,"method":"shutdown","params":{"mode":"drain"}}"#)
        send(#"{"jsonrpc":"2.0","id":21,"method":"ping"}"#)
        _ = try await serve.output.response(20)
        serve.closeInput()
        #expect(try await serve.exitStatus() == 0)

        // The session covered every kind of line the core sends.
        let messages = try serve.output.messages()
        let methods = Set(messages.compactMap(\.method))
        #expect(methods == ["event/progress", "event/job", "event/log"])
        let codes = Set(messages.compactMap(\.errorCode))
        #expect(codes.isSuperset(of: [-32700, -32600, -32601, -32602, -32603, -32800, 1001, 1003, 1004, 1200]))

        let result = try Self.check(requests: sent, output: serve.output.bytes)
        #expect(result.status == 0, "\(result.report)")
        #expect(result.report.contains("0 problem(s)"))
    }

    @Test func theCheckerRejectsWhatTheSchemaForbids() throws {
        let requests = [#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, #"{"jsonrpc":"2.0","id":2,"method":"initialize"}"#]
        let bad = [
            #"{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x","data":{"kind":"x","retryable":false}}}"#,
            #"{"jsonrpc":"2.0","method":"event/progress","params":{"requestId":1,"phase":"uploading"}}"#,
            #"{"jsonrpc":"2.0","id":2,"result":{"protocolVersion":2}}"#,
            #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"x","data":{"kind":"made_up","retryable":false}}}"#,
            #"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"x","data":{"kind":"invalid_params","retryable":false}}}"#,
            "stray text",
        ]
        for line in bad {
            let result = try Self.check(requests: requests, output: Array((line + "\n").utf8))
            #expect(result.status == 1, "accepted: \(line)\n\(result.report)")
        }
        let good = #"{"jsonrpc":"2.0","id":1,"result":{}}"# + "\n"
        #expect(try Self.check(requests: requests, output: Array(good.utf8)).status == 0)
    }
}

import FichierEmulator
import Foundation
import Testing

/// rclone's own fichier backend (Debian's rclone, unmodified) against the emulator. rclone
/// hard-codes https://api.1fichier.com/v1, so it reaches the emulator through the
/// intercepting proxy with the test CA. If the emulator drifts from the real service's shapes,
/// these tests fail in rclone's code, not ours.
@Suite("rclone's fichier backend against the emulator", .serialized)
struct RcloneInteropTests {
    /// A local tree with the names 1fichier reserves (rclone maps them to full-width forms).
    static let tree: [(path: String, size: Int)] = [
        ("a.txt", 6),
        ("names/it's \"$5\" <ok> `x`.txt", 1_000),
        ("names/back\\slash, ends with a space ", 17),
        ("names/ leading space.txt", 3),
        ("sub/deep/data.bin", 3 * 1_048_576 + 123),
    ]

    @Test("copy a tree up, list it, check it by Whirlpool, copy it back")
    func uploadListCheckDownload() async throws {
        try await InteropHarness.with { harness in
            let rclone = try Rclone(harness)
            let local = try Self.makeTree(in: harness.workDirectory.appendingPathComponent("local"))

            try await rclone.succeed("copy", local.path, "f:interop")

            let listed = try await rclone.listing("f:interop")
            #expect(listed == Dictionary(uniqueKeysWithValues: Self.tree.map { ($0.path, $0.size) }))

            // rclone compares Whirlpool sums it computes itself with the checksums the emulator reports.
            try await rclone.succeed("check", local.path, "f:interop")
            let remoteSums = try await rclone.succeed("hashsum", "whirlpool", "f:interop")
            let localSums = try await rclone.succeed("hashsum", "whirlpool", local.path)
            #expect(Self.sums(remoteSums) == Self.sums(localSums))
            #expect(Self.sums(remoteSums).count == Self.tree.count)

            let back = harness.workDirectory.appendingPathComponent("back")
            try await rclone.succeed("copy", "f:interop", back.path)
            for entry in Self.tree {
                let original = try Data(contentsOf: local.appendingPathComponent(entry.path))
                let downloaded = try Data(contentsOf: back.appendingPathComponent(entry.path))
                #expect(original == downloaded, "\(entry.path) came back different")
            }

            // A ranged read goes through get_token and a Range request.
            let slice = try await rclone.succeedData("cat", "--offset", "1000", "--count", "5000", "f:interop/sub/deep/data.bin")
            let whole = try Data(contentsOf: local.appendingPathComponent("sub/deep/data.bin"))
            #expect(slice == whole.subdata(in: 1_000..<6_000))

            // The emulator stored the names 1fichier's way: reserved characters in full-width form.
            let stored = harness.emulator.admin.allFiles.map(\.name)
            #expect(stored.contains("it＇s ＂＄5＂ ＜ok＞ ｀x｀.txt"))
        }
    }

    @Test("server-side rename, copy, delete, rmdir, purge and about")
    func serverSideOperations() async throws {
        try await InteropHarness.with { harness in
            let rclone = try Rclone(harness)
            let local = try Self.makeTree(in: harness.workDirectory.appendingPathComponent("local"))
            try await rclone.succeed("copy", local.path, "f:ops")
            let original = try await rclone.succeedData("cat", "f:ops/a.txt")

            // Same folder: rclone renames with file/rename.cgi. (rclone 1.60 also renames in place
            // when asked to move to another folder — its Move compares the destination's folder
            // with itself — so moves across folders are covered by the pyOneFichierClient test.)
            try await rclone.succeed("moveto", "f:ops/a.txt", "f:ops/renamed.txt")
            // Server-side copy into another folder under a new name: file/cp.cgi, new URL.
            try await rclone.succeed("copyto", "f:ops/renamed.txt", "f:ops/sub/copy.txt")
            var listed = try await rclone.listing("f:ops")
            #expect(listed["a.txt"] == nil)
            #expect(listed["renamed.txt"] == 6 && listed["sub/copy.txt"] == 6)
            #expect(try await rclone.succeedData("cat", "f:ops/sub/copy.txt") == original)
            let urls = harness.emulator.admin.allFiles.filter { $0.name == "renamed.txt" || $0.name == "copy.txt" }.map(\.url)
            #expect(Set(urls).count == 2)

            try await rclone.succeed("deletefile", "f:ops/sub/copy.txt")
            listed = try await rclone.listing("f:ops")
            #expect(listed["sub/copy.txt"] == nil)

            // A non-empty folder is refused, as on the real service.
            let refused = try await rclone.run("rmdir", "f:ops/sub")
            #expect(refused.status != 0)
            try await rclone.succeed("purge", "f:ops/names")
            listed = try await rclone.listing("f:ops")
            #expect(listed.keys.allSatisfy { !$0.hasPrefix("names/") })

            let about = try await rclone.succeed("about", "--json", "f:")
            let used = try #require(try JSONSerialization.jsonObject(with: Data(about.utf8)) as? [String: Any])["used"] as? Int
            #expect(used == listed.values.reduce(0, +))

            try await rclone.succeed("purge", "f:ops")
            #expect(try await rclone.listing("f:").isEmpty)
        }
    }

    // MARK: - Helpers

    static func makeTree(in root: URL) throws -> URL {
        var generator = SplitMix64(seed: 0x1F1C_41E5)
        for entry in tree {
            let url = root.appendingPathComponent(entry.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var bytes = [UInt8](repeating: 0, count: entry.size)
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: generator.next()) }
            try Data(bytes).write(to: url)
        }
        return root
    }

    /// `hashsum` output as path → sum.
    static func sums(_ output: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let gap = line.range(of: "  ") else { continue }
            result[String(line[gap.upperBound...])] = String(line[..<gap.lowerBound])
        }
        return result
    }
}

/// rclone with a config pointing at the emulator through the proxy.
struct Rclone {
    let harness: InteropHarness
    let config: URL

    init(_ harness: InteropHarness) throws {
        self.harness = harness
        config = harness.workDirectory.appendingPathComponent("rclone.conf")
        try "[f]\ntype = fichier\napi_key = \(InteropHarness.apiKey)\n".write(to: config, atomically: true, encoding: .utf8)
    }

    func run(_ arguments: String...) async throws -> ChildResult {
        try await run(arguments)
    }

    func run(_ arguments: [String]) async throws -> ChildResult {
        try await ChildProcess.run("rclone",
            ["--config", config.path, "--ca-cert", harness.caCertificate,
             "--retries", "1", "--low-level-retries", "2"] + arguments,
            environment: harness.clientEnvironment)
    }

    @discardableResult
    func succeed(_ arguments: String...) async throws -> String {
        let result = try await run(arguments)
        guard result.status == 0 else { throw InteropFailure("rclone \(arguments.joined(separator: " ")): \(result)") }
        return result.stdout
    }

    func succeedData(_ arguments: String...) async throws -> Data {
        let file = harness.workDirectory.appendingPathComponent("cat-\(UUID().uuidString)")
        let result = try await ChildProcess.run("sh",
            ["-c", "exec \"$0\" \"$@\" > '\(file.path)'", "rclone", "--config", config.path,
             "--ca-cert", harness.caCertificate, "--retries", "1"] + arguments,
            environment: harness.clientEnvironment)
        guard result.status == 0 else { throw InteropFailure("rclone \(arguments.joined(separator: " ")): \(result)") }
        return try Data(contentsOf: file)
    }

    /// Every file under a remote as relative path → size, from `rclone lsjson -R`.
    func listing(_ remote: String) async throws -> [String: Int] {
        let output = try await run("lsjson", "-R", "--files-only", remote)
        guard output.status == 0 else { throw InteropFailure("rclone lsjson: \(output)") }
        let entries = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]] ?? []
        var result: [String: Int] = [:]
        for entry in entries {
            if let path = entry["Path"] as? String, let size = entry["Size"] as? Int { result[path] = size }
        }
        return result
    }
}

/// A small deterministic generator for test data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

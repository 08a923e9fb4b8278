import Foundation

/// Temporary files for uploads; removed with their directory.
final class TestFiles {
    let directory: URL

    init() throws {
        directory = try EmulatorHarness.temporaryDirectory()
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Writes `bytes` to `name` and returns the path.
    func make(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func make(_ name: String, text: String) throws -> String {
        try make(name, Array(text.utf8))
    }

    /// Deterministic pseudo-random bytes.
    static func pattern(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }
}

extension Emulator {
    /// An API call with the harness key.
    func call(_ path: String, _ body: String = "{}", key: String? = EmulatorHarness.key) async throws -> Curl.Result {
        try await Curl.api(baseURL, path, key: key, body: body)
    }

    /// An API call expected to succeed; returns the JSON object.
    func ok(_ path: String, _ body: String = "{}") async throws -> [String: Any] {
        let result = try await call(path, body)
        guard result.status == 200 else { throw Curl.CurlError("\(path) answered \(result.status): \(result.text)") }
        return try result.json()
    }
}

import FichierEmulator

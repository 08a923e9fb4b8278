import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a child's output descriptor on its own thread and keeps every byte and line; tests
/// wait for lines by polling, never blocking a cooperative thread.
final class OutputLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var bytes: [UInt8] = []
    private var ended = false

    init(fd: Int32) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var partial: [UInt8] = []
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                var complete: [String] = []
                partial.append(contentsOf: buffer[0..<count])
                var start = partial.startIndex
                while let newline = partial[start...].firstIndex(of: 0x0A) {
                    complete.append(String(decoding: partial[start..<newline], as: UTF8.self))
                    start = newline + 1
                }
                partial.removeSubrange(..<start)
                lock.lock()
                bytes.append(contentsOf: buffer[0..<count])
                lines.append(contentsOf: complete)
                lock.unlock()
            }
            lock.lock()
            if !partial.isEmpty { lines.append(String(decoding: partial, as: UTF8.self)) }
            ended = true
            lock.unlock()
        }
        thread.start()
    }

    var all: [String] { lock.withLock { lines } }
    var raw: [UInt8] { lock.withLock { bytes } }
    var text: String { String(decoding: raw, as: UTF8.self) }
    var isEnded: Bool { lock.withLock { ended } }

    /// Every line parsed as a JSON object.
    func messages() throws -> [JSONMessage] {
        try all.map { try JSONMessage(line: $0) }
    }

    /// Waits until `predicate` holds for the messages so far.
    @discardableResult
    func wait(timeout: Duration = .seconds(30), _ what: String = "messages",
              until predicate: ([JSONMessage]) -> Bool) async throws -> [JSONMessage] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let ended = isEnded
            let current = try messages()
            if predicate(current) { return current }
            if ended || ContinuousClock.now > deadline {
                throw TestFailure("timed out waiting for \(what); got:\n" + all.suffix(40).joined(separator: "\n"))
            }
            try await Task.sleep(for: .milliseconds(3))
        }
    }

    func response(_ id: AnyHashable, timeout: Duration = .seconds(30)) async throws -> JSONMessage {
        let messages = try await wait(timeout: timeout, "response \(id)") { list in
            list.contains { $0.isResponse && $0.id == id }
        }
        guard let response = messages.first(where: { $0.isResponse && $0.id == id }) else {
            throw TestFailure("no response \(id)")
        }
        return response
    }

    func waitForEnd(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !isEnded {
            if ContinuousClock.now > deadline { throw TestFailure("output did not end") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// One line the server wrote, parsed with Foundation's JSON parser.
struct JSONMessage: @unchecked Sendable, CustomStringConvertible {
    let line: String
    let object: [String: Any]

    init(line: String) throws {
        self.line = line
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(line)")
        }
        self.object = object
    }

    var description: String { line }

    var id: AnyHashable? {
        switch object["id"] {
        case let number as NSNumber: return number.intValue
        case let string as String: return string
        default: return nil
        }
    }

    var method: String? { object["method"] as? String }
    var params: [String: Any]? { object["params"] as? [String: Any] }
    var result: [String: Any]? { object["result"] as? [String: Any] }
    var error: [String: Any]? { object["error"] as? [String: Any] }
    var errorCode: Int? { (error?["code"] as? NSNumber)?.intValue }
    var errorData: [String: Any]? { error?["data"] as? [String: Any] }
    var isResponse: Bool { object["result"] != nil || object["error"] != nil }
    var requestID: AnyHashable? {
        switch params?["requestId"] {
        case let number as NSNumber: return number.intValue
        case let string as String: return string
        default: return nil
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

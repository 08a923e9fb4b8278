import Foundation

/// A JSON value kept exactly (booleans apart from numbers, integers apart from fractions).
indirect enum JSON: Decodable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSON].self)) }
    }

    static func parse(_ text: String) throws -> JSON {
        try JSONDecoder().decode(JSON.self, from: Data(text.utf8))
    }

    subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .string(let value): jsonString(value)
        case .array(let values): "[" + values.map(\.description).joined(separator: ",") + "]"
        case .object(let object):
            "{" + object.keys.sorted().map { jsonString($0) + ":" + object[$0]!.description }.joined(separator: ",") + "}"
        }
    }
}

/// A conformance transcript (protocol/examples/*.jsonl): the client's lines and the server's
/// expected lines, in order.
///
/// - A line whose `method` is not `event/*` is sent by the client (requests, `$/cancel`).
///   Every other line (responses, `event/*`) is expected from the server.
/// - Consecutive client lines are sent together (pipelined); the expected lines that follow
///   must then all arrive, in any order, before the next client lines are sent. A line that
///   matches none of them fails the transcript, and so does anything left over at the end.
/// - In expected lines, these strings match a kind of value: `$any`, `$string`, `$int`,
///   `$bool`, `$date` (ISO 8601), `$url` (http/https), `$hex128` (a Whirlpool), `$cursor`;
///   `$capture:NAME` matches anything and remembers it.
/// - In client lines, `{{NAME}}` is replaced by a captured value (strings JSON-escaped, without
///   quotes) and `{{dir}}` by a scratch directory.
/// - Lines starting with `#` and blank lines are comments. `#! vault PASSPHRASE` (first lines)
///   runs the transcript with a fresh vault (`fichier vault init --kdf small`) of that
///   passphrase, locked at the start; without it the server sees no vault.
struct Transcript {
    enum Step {
        case send([String])
        /// Raw lines: `{{NAME}}` is resolved when they are matched.
        case expect([String])
    }

    let name: String
    let steps: [Step]
    /// The passphrase of a vault made for this transcript (`#! vault …`).
    let vaultPassphrase: String?

    init(name: String, text: String) throws {
        self.name = name
        var steps: [Step] = []
        var passphrase: String?
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#! vault ") {
                passphrase = String(line.dropFirst("#! vault ".count))
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            // A client line may hold {{NAME}} where a number goes: parse it with a stand-in.
            guard let parsed = (try? JSON.parse(line)) ?? (try? JSON.parse(line.replacingOccurrences(
                of: #"\{\{[A-Za-z0-9_]+\}\}"#, with: "0", options: .regularExpression))) else {
                throw TestFailure("\(name):\(number + 1): not JSON: \(line)")
            }
            let method = parsed["method"]?.stringValue
            let fromClient = method.map { !$0.hasPrefix("event/") } ?? false
            switch (fromClient, steps.last) {
            case (true, .send(let lines)?): steps[steps.count - 1] = .send(lines + [line])
            case (true, _): steps.append(.send([line]))
            case (false, .expect(let lines)?): steps[steps.count - 1] = .expect(lines + [line])
            case (false, _): steps.append(.expect([line]))
            }
        }
        self.steps = steps
        vaultPassphrase = passphrase
    }

    /// Runs against a fresh `fichier serve --sandbox`; returns what was sent and received for
    /// the schema check.
    func run(timeout: Duration = .seconds(60)) async throws -> (sent: [String], received: [UInt8]) {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let environment = ["FICHIER_VAULT": scratch.file("vault")]
        if let vaultPassphrase {
            let passphraseFile = try scratch.write("passphrase", vaultPassphrase + "\n")
            let created = try await runFichier(["vault", "init", "--kdf", "small", "--passphrase-file", passphraseFile],
                                               environment: environment)
            guard created.status == 0 else { throw TestFailure("\(name): vault init failed: \(created)") }
        }
        let session = try ServeSession.sandbox(scratch.file("sandbox"), environment: environment)
        var captures: [String: JSON] = ["dir": .string(scratch.path)]
        var consumed = 0
        for step in steps {
            switch step {
            case .send(let lines):
                for line in lines { session.send(Self.substitute(line, captures)) }
            case .expect(var pending):
                let deadline = ContinuousClock.now + timeout
                while !pending.isEmpty {
                    let lines = session.output.all
                    if consumed < lines.count {
                        let line = lines[consumed]
                        consumed += 1
                        let actual = try JSON.parse(line)
                        let resolved = try pending.map { try JSON.parse(Self.substitute($0, captures)) }
                        guard let index = resolved.firstIndex(where: { expected in
                            var trial = captures
                            return Self.match(expected, actual, &trial)
                        }) else {
                            throw TestFailure("\(name): unexpected line\n  \(line)\nwhile expecting\n  "
                                              + pending.joined(separator: "\n  "))
                        }
                        _ = Self.match(resolved[index], actual, &captures)
                        pending.remove(at: index)
                        continue
                    }
                    if ContinuousClock.now > deadline || session.output.isEnded {
                        throw TestFailure("\(name): still expecting\n  " + pending.joined(separator: "\n  ")
                                          + "\nstderr:\n\(session.child.errors.text)")
                    }
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
        }
        let status = try await session.finish()
        let lines = session.output.all
        if consumed < lines.count {
            throw TestFailure("\(name): unexpected line(s) at the end:\n  " + lines[consumed...].joined(separator: "\n  "))
        }
        guard status == 0 else { throw TestFailure("\(name): fichier serve exited \(status)") }
        return (session.sent, session.output.raw)
    }

    static func substitute(_ line: String, _ captures: [String: JSON]) -> String {
        var text = line
        for (name, value) in captures {
            let replacement: String
            switch value {
            case .string(let string): replacement = String(jsonString(string).dropFirst().dropLast())
            default: replacement = value.description
            }
            text = text.replacingOccurrences(of: "{{\(name)}}", with: replacement)
        }
        return text
    }

    /// Whether `actual` matches `expected` (placeholders, exact key sets); records captures.
    static func match(_ expected: JSON, _ actual: JSON, _ captures: inout [String: JSON]) -> Bool {
        switch expected {
        case .string(let pattern) where pattern.hasPrefix("$"):
            if pattern.hasPrefix("$capture:") {
                captures[String(pattern.dropFirst("$capture:".count))] = actual
                return true
            }
            let text = actual.stringValue
            switch pattern {
            case "$any": return true
            case "$string": return text != nil
            case "$cursor": return text.map { !$0.isEmpty } ?? false
            case "$bool": if case .bool = actual { return true } else { return false }
            case "$int": if case .integer = actual { return true } else { return false }
            case "$url": return text.map { $0.hasPrefix("https://") || $0.hasPrefix("http://") } ?? false
            case "$hex128": return text.map { $0.count == 128 && $0.allSatisfy(\.isHexDigit) } ?? false
            case "$date": return text.flatMap { ISO8601DateFormatter().date(from: $0) } != nil
            default: return actual == expected
            }
        case .object(let fields):
            guard case .object(let other) = actual, Set(fields.keys) == Set(other.keys) else { return false }
            return fields.allSatisfy { key, value in match(value, other[key]!, &captures) }
        case .array(let items):
            guard case .array(let others) = actual, items.count == others.count else { return false }
            return zip(items, others).allSatisfy { match($0, $1, &captures) }
        default:
            return actual == expected
        }
    }
}

import FichierAPI
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Fetches one URL for a remote upload: plain HTTP/1.1 over SwiftNIO, following up to five
/// redirects, streaming the body to a temporary file (hashed) or, in discard mode, only counting it.
struct RemoteFetcher: Sendable {
    struct Fetched: Sendable {
        var name: String
        var declaredType: String?
        var temporaryPath: String?
        var size: Int64
        var checksum: String
    }

    struct Failure: Error, Sendable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    let store: EmulatorStore
    var connectTimeout: TimeAmount = .seconds(10)
    var totalTimeout: Duration = .seconds(600)
    static let maximumRedirects = 5

    func fetch(_ address: String, headers: [String: String]) async throws -> Fetched {
        try await withThrowingTaskGroup(of: Fetched.self) { group in
            group.addTask { try await self.follow(address, headers: headers) }
            group.addTask {
                try await Task.sleep(for: self.totalTimeout)
                throw Failure(message: "Timeout")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw Failure(message: "Timeout") }
            return first
        }
    }

    private enum Step {
        case done(Fetched)
        case redirect(String)
    }

    private func follow(_ address: String, headers: [String: String]) async throws -> Fetched {
        var current = address
        for _ in 0...Self.maximumRedirects {
            switch try await get(current, headers: headers) {
            case .done(let fetched): return fetched
            case .redirect(let location):
                guard let base = URL(string: current), let next = URL(string: location, relativeTo: base) else {
                    throw Failure(message: "Invalid redirect")
                }
                current = next.absoluteString
            }
        }
        throw Failure(message: "Too many redirects")
    }

    private func get(_ address: String, headers: [String: String]) async throws -> Step {
        guard let url = URL(string: address), let components = URLComponents(string: address),
              let scheme = components.scheme?.lowercased(), let rawHost = components.host, !rawHost.isEmpty
        else {
            throw Failure(message: "Invalid URL")
        }
        guard scheme == "http" else { throw Failure(message: "Unsupported protocol (the emulator fetches http:// only)") }
        let host = rawHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let port = components.port ?? 80
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let hostHeader = components.port.map { "\(bracketed):\($0)" } ?? bracketed

        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(connectTimeout)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                            wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw Failure(message: "Connection failed: \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target)
            head.headers.add(name: "Host", value: hostHeader)
            head.headers.add(name: "User-Agent", value: "1fichier-remote-upload (fichier emulator)")
            head.headers.add(name: "Accept", value: "*/*")
            for (name, value) in headers.sorted(by: { $0.key < $1.key })
            where name.lowercased() != "host" && name.lowercased() != "connection" {
                head.headers.add(name: name, value: value)
            }
            head.headers.add(name: "Connection", value: "close")
            // Head and end in one write: a server that answers and closes right after the head
            // (HTTP/1.0 servers do) must not turn a separate end write into a failed fetch.
            try await outbound.write(contentsOf: [.head(head), .end(nil)])

            var iterator = inbound.makeAsyncIterator()
            guard case .head(let response)? = try await iterator.next() else {
                throw Failure(message: "No response")
            }
            if (300..<400).contains(Int(response.status.code)), let location = response.headers.first(name: "Location") {
                return .redirect(location)
            }
            guard response.status == .ok else {
                throw Failure(message: "HTTP \(response.status.code) \(response.status.reasonPhrase)")
            }
            let expected = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
            let name = Self.fileName(disposition: response.headers.first(name: "Content-Disposition"), url: url)
            let output = store.storage == .disk ? try WritableFile(creating: store.incomingPath()) : nil
            let hasher = store.storage == .disk ? Whirlpool() : nil
            var size: Int64 = 0
            var finished = false
            do {
                while let part = try await iterator.next() {
                    switch part {
                    case .head:
                        throw Failure(message: "Unexpected response head")
                    case .body(let buffer):
                        try buffer.withUnsafeReadableBytes { bytes in
                            try output?.write(bytes)
                            hasher?.update(bytes)
                        }
                        size += Int64(buffer.readableBytes)
                    case .end:
                        finished = true
                    }
                    if finished { break }
                }
                guard finished, expected == nil || expected == size else { throw Failure(message: "Transfer interrupted") }
                guard size > 0 else { throw Failure(message: "Empty file") }
                try output?.close()
            } catch {
                if let output {
                    try? output.close()
                    FileSystem.remove(output.path)
                }
                throw error
            }
            return .done(Fetched(
                name: name, declaredType: response.headers.first(name: "Content-Type"),
                temporaryPath: output?.path, size: size, checksum: hasher?.finalize() ?? ""))
        }
    }

    /// The name the fetched file gets: Content-Disposition's, else the URL's last path segment;
    /// characters the service reserves become `_`.
    static func fileName(disposition: String?, url: URL) -> String {
        var name = disposition.flatMap { ContentDisposition(parsing: $0)?.fileName } ?? ""
        if name.isEmpty {
            let last = url.path.split(separator: "/").last.map(String.init) ?? ""
            name = last.removingPercentEncoding ?? last
        }
        name = UploadReceiver.baseName(name)
        var cleaned = String(name.map { character -> Character in
            if NameRules.reservedCharacters.contains(character) { return "_" }
            if character.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "_" }
            return character
        }).trimmingSpaces
        if cleaned == "." || cleaned == ".." { cleaned = "" }
        if cleaned.count > NameRules.maximumLength { cleaned = String(cleaned.prefix(NameRules.maximumLength)) }
        return cleaned.isEmpty ? "file" : cleaned
    }
}

/// Builders for the lines the server writes: responses and `event/*` notifications.
/// Each appends one compact JSON object (without the newline) to the writer's buffer.
enum OutgoingMessage {
    static func appendResult(id: RequestID, result: [UInt8], to bytes: inout [UInt8]) {
        bytes.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        JSONWriter.appendID(id, to: &bytes)
        bytes.append(contentsOf: #","result":"#.utf8)
        bytes.append(contentsOf: result)
        bytes.append(UInt8(ascii: "}"))
    }

    static func error(id: RequestID?, _ error: RPCError) -> [UInt8] {
        var writer = JSONWriter(capacity: 160)
        writer.raw(#"{"jsonrpc":"2.0","id":"#)
        writer.id(id)
        writer.raw(#","error":"#)
        error.write(to: &writer)
        writer.raw("}")
        return writer.bytes
    }

    /// `{"jsonrpc":"2.0","method":…,"params":{…}}` with `params` written by `body`.
    static func notification(_ method: StaticString, _ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter(capacity: 192)
        writer.raw(#"{"jsonrpc":"2.0","method":""#)
        writer.raw(method)
        writer.raw(#"","params":{"#)
        body(&writer)
        writer.raw("}}")
        return writer.bytes
    }

    static func progress(id: RequestID, _ snapshot: ProgressState.Snapshot, heartbeat: Bool) -> [UInt8] {
        notification("event/progress") { writer in
            writer.raw(#""requestId":"#)
            writer.id(id)
            writer.raw(#","phase":"#)
            writer.string(snapshot.phase)
            writer.raw(#","attempt":"#)
            writer.integer(snapshot.attempt)
            writer.raw(#","bytesDone":"#)
            writer.integer(snapshot.bytesDone)
            writer.raw(#","bytesTotal":"#)
            if let total = snapshot.bytesTotal { writer.integer(total) } else { writer.null() }
            writer.raw(#","rateBps":"#)
            if let rate = snapshot.rateBps { writer.integer(rate) } else { writer.null() }
            writer.raw(#","etaSeconds":"#)
            if let eta = snapshot.etaSeconds { writer.integer(eta) } else { writer.null() }
            if heartbeat { writer.raw(#","heartbeat":true"#) }
        }
    }

    static func job(id: RequestID, state: String, attempt: Int?, reason: String?, delayMs: Int?,
                    retryAfterMs: Int?) -> [UInt8] {
        notification("event/job") { writer in
            writer.raw(#""requestId":"#)
            writer.id(id)
            writer.raw(#","state":"#)
            writer.string(state)
            if let attempt {
                writer.raw(#","attempt":"#)
                writer.integer(attempt)
            }
            if let reason {
                writer.raw(#","reason":"#)
                writer.string(reason)
            }
            if let delayMs {
                writer.raw(#","delayMs":"#)
                writer.integer(delayMs)
            }
            if let retryAfterMs {
                writer.raw(#","retryAfterMs":"#)
                writer.integer(retryAfterMs)
            }
        }
    }

    static func log(level: LogLevel, message: String, id: RequestID?) -> [UInt8] {
        notification("event/log") { writer in
            writer.raw(#""level":"#)
            writer.string(level.rawValue)
            writer.raw(#","logger":"fichier","message":"#)
            writer.string(message)
            if let id {
                writer.raw(#","requestId":"#)
                writer.id(id)
            }
        }
    }
}

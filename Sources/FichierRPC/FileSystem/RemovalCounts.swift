/// What a multi-step removal or copy has done so far, reported as `data.partial` when it
/// stops part-way (an error or a cancel).
final class RemovalCounts: @unchecked Sendable {
    // Touched by the one task that runs the operation.
    var files = 0
    var folders = 0

    struct Partial: Encodable {
        var files: Int
        var folders: Int
    }

    var partial: Partial { Partial(files: files, folders: folders) }
}

extension RPCError {
    /// Runs `body`; any failure becomes an `RPCError` carrying `partial()` in `data.partial`
    /// (a cancel keeps its -32800).
    static func reportingPartial<T>(_ partial: () -> some Encodable, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            var mapped = RPCError.from(error, cancelled: false)
            if mapped.data.partial == nil { mapped.data.partial = try? JSONFragment(encoding: partial()) }
            throw mapped
        }
    }
}

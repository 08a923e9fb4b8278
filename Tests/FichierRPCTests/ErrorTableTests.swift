@testable import FichierRPC
import Testing

@Suite("Error code table")
struct ErrorTableTests {
    @Test func codesAndKindsAreUnique() {
        let codes = RPCErrorCode.allCases.map(\.rawValue)
        let kinds = RPCErrorCode.allCases.map(\.kind)
        #expect(Set(codes).count == codes.count)
        #expect(Set(kinds).count == kinds.count)
        for code in RPCErrorCode.allCases {
            #expect(RPCErrorCode(kind: code.kind) == code)
            #expect(!code.summary.isEmpty)
        }
    }

    @Test func keepsTheAnchorNumbers() {
        let expected: [(Int, String, Int32)] = [
            (-32700, "parse_error", 2), (-32600, "invalid_request", 2), (-32601, "method_not_found", 2),
            (-32602, "invalid_params", 2), (-32603, "internal_error", 1), (-32002, "not_initialized", 2),
            (-32800, "cancelled", 130), (1001, "unsupported_version", 2), (1002, "capability_required", 2),
            (1003, "shutting_down", 1), (1004, "busy", 5), (1100, "auth_missing", 7), (1101, "auth_rejected", 7),
            (1102, "account_restricted", 7), (1200, "rate_limited", 5), (1201, "quota_exceeded", 8),
            (1300, "not_found", 4), (1301, "conflict", 6), (1302, "not_empty", 6), (1303, "too_large", 6),
            (1304, "unsupported", 6), (1400, "local_io", 6), (1401, "integrity", 6), (1500, "network", 5),
            (1501, "provider_protocol", 1), (1600, "vault_locked", 10), (1601, "vault_bad_secret", 12),
            (1602, "vault_corrupt", 11), (1603, "key_missing", 10),
        ]
        for (number, kind, exit) in expected {
            let code = RPCErrorCode(rawValue: number)
            #expect(code?.kind == kind)
            #expect(code?.exitCode == exit)
        }
    }

    /// Every FichierError kind (FichierAPI) and vault/crypto kind has a code of its own.
    @Test(arguments: [
        ("auth_missing", 1100), ("auth_rejected", 1101), ("account_restricted", 1102), ("customer_only", 1103),
        ("owner_locked", 1104), ("rate_limited", 1200), ("quota_exceeded", 1201), ("not_found", 1300),
        ("not_allowed", 1305), ("conflict", 1301), ("not_empty", 1302), ("too_large", 1303), ("unsupported", 1304),
        ("invalid_argument", 1306), ("invalid_configuration", 1402), ("network", 1500), ("provider_protocol", 1501),
        ("local_io", 1400), ("integrity", 1401), ("cancelled", -32800), ("vault_locked", 1600),
        ("vault_bad_secret", 1601), ("vault_corrupt", 1602), ("key_missing", 1603),
    ])
    func mapsLowerLayerKinds(kind: String, code: Int) {
        let error = RPCError.mapping(kind: kind, message: "m", retryable: nil)
        #expect(error.code == code)
        #expect(error.data.kind == kind)
        #expect(error.message == "m")
    }

    @Test func mappingCarriesRetryAndProviderDetail() {
        let error = RPCError.mapping(kind: "rate_limited", message: "Flood detected", retryable: true,
                                     retryAfter: .seconds(30),
                                     provider: ProviderDetail(httpStatus: 403, code: 374, message: "Flood detected: IP Locked #374"),
                                     remoteStateUnknown: false)
        #expect(error.code == 1200)
        #expect(error.data.retryable)
        #expect(error.data.retryAfterMs == 30_000)
        #expect(error.data.provider?.code == 374)
        #expect(error.data.remoteStateUnknown == nil)
        var writer = JSONWriter()
        error.write(to: &writer)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"code":1200,"message":"Flood detected","data":{"kind":"rate_limited","retryable":true,"retryAfterMs":30000,"provider":{"httpStatus":403,"code":374,"message":"Flood detected: IP Locked #374"}}}"#)
    }

    @Test func unknownKindsAreInternalAndTableDefaultsApply() {
        let unknown = RPCError.mapping(kind: "something_new", message: "?")
        #expect(unknown.code == -32603)
        #expect(unknown.data.kind == "something_new")
        #expect(RPCError.mapping(kind: "network", message: "x").data.retryable)
        #expect(!RPCError.mapping(kind: "network", message: "x", retryable: false).data.retryable)
        #expect(!RPCError.mapping(kind: "not_found", message: "x").data.retryable)
    }

    @Test func exitStatusUsesTheSubjectForNotFound() {
        var error = RPCError.mapping(kind: "not_found", message: "no such folder")
        #expect(exitStatus(for: error) == 4)
        error.data.subject = "folder"
        #expect(exitStatus(for: error) == 3)
        #expect(exitStatus(for: RPCError(code: 42, message: "?", data: ErrorData(kind: "x", retryable: false))) == 1)
    }

    struct Convertible: RPCErrorConvertible {
        var rpcError: RPCError { .mapping(kind: "conflict", message: "exists") }
    }

    struct Plain: Error {}

    @Test func handlerErrorsMapToProtocolErrors() {
        #expect(RPCError.from(Convertible(), cancelled: false).code == 1301)
        #expect(RPCError.from(Plain(), cancelled: false).code == -32603)
        #expect(RPCError.from(CancellationError(), cancelled: false).code == -32800)
        let partial = try? JSONFragment(encoding: ["bytesDone": 5])
        var failed = RPCError.mapping(kind: "network", message: "reset", remoteStateUnknown: true)
        failed.data.partial = partial
        let cancelled = RPCError.from(failed, cancelled: true)
        #expect(cancelled.code == -32800)
        #expect(cancelled.data.partial == partial)
        #expect(cancelled.data.remoteStateUnknown == true)
    }
}

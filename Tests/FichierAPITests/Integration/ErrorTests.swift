import Foundation
import Testing
@testable import FichierAPI
@testable import FichierEmulator

/// Each error class, as the emulator produces it over real sockets.
@Suite struct ErrorTests {
    @Test func badKeyIsAuthRejected() async throws {
        try await APIHarness.with(client: { configuration in
            configuration.credentials = StaticCredentials(APIKey("not-the-right-key-0123456789abcdef"))
        }) { emulator, client in
            let error = await APIHarness.failure { try await client.listFolder(0) }
            #expect(error?.kind == .authRejected && error?.retryable == false)
            #expect(error?.provider?.httpStatus == 401 && error?.provider?.code == 247)
            #expect(!(error?.description.contains("not-the-right-key") ?? true))
            #expect(APIHarness.count("/v1/folder/ls.cgi", in: emulator) == 1)
        }
    }

    @Test func missingKeyFailsBeforeAnyRequest() async throws {
        try await APIHarness.with(client: { $0.credentials = StaticCredentials(nil) }) { emulator, client in
            let error = await APIHarness.failure { try await client.userInfo() }
            #expect(error?.kind == .authMissing)
            #expect(emulator.faults.requestLog.isEmpty)
        }
    }

    @Test func unknownFileIsNotFound() async throws {
        try await APIHarness.with { emulator, client in
            let url = "https://1fichier.com/?aaaaaaaaaaaaaaaaaaaa"
            let info = await APIHarness.failure { try await client.fileInfo(url: url) }
            #expect(info?.kind == .notFound && info?.provider?.httpStatus == 404 && info?.provider?.code == 469)
            #expect(info?.provider?.message == "Resource not found #469")
            let token = await APIHarness.failure { try await client.downloadToken(url: url) }
            #expect(token?.kind == .notFound)
            // Not found is final: one call each, no retries.
            #expect(APIHarness.count("/v1/file/info.cgi", in: emulator) == 1)
        }
    }

    @Test func floodIsRateLimitedWithTheFloodPause() async throws {
        try await APIHarness.with(client: { $0.maxAttempts = 1 }) { emulator, client in
            emulator.faults.floodLock(for: .seconds(30))
            let error = await APIHarness.failure { try await client.listFolder(0) }
            #expect(error?.kind == .rateLimited && error?.retryable == true && error?.isFloodLock == true)
            #expect(error?.provider?.httpStatus == 403 && error?.provider?.code == 374)
            #expect(error?.retryAfter == .milliseconds(300))
            emulator.faults.liftFloodLock()
        }
    }

    @Test func nothingRenamedIsA200KO() async throws {
        try await APIHarness.with { emulator, client in
            let url = try emulator.admin.addFile(named: "same.txt", in: 0, contents: [1, 2, 3])
            let error = await APIHarness.failure { try await client.renameFile(url: url, to: "same.txt") }
            #expect(error?.kind == .conflict && error?.provider?.httpStatus == 200 && error?.provider?.code == 312)
            let move = await APIHarness.failure { try await client.moveFiles(urls: [url], to: 0, rename: "same.txt") }
            #expect(move?.kind == .conflict)
        }
    }

    @Test func htmlWhereJSONWasDue() async throws {
        try await APIHarness.with(client: { $0.uploadReportAttempts = 3 }) { emulator, client in
            // 5xx HTML pages from the API: retried (idempotent), then reported as network errors.
            emulator.faults.failNextAPICalls(10, status: 502, path: "folder/ls.cgi")
            let listing = await APIHarness.failure { try await client.listFolder(0) }
            #expect(listing?.kind == .network && listing?.retryable == true && listing?.provider?.httpStatus == 502)
            #expect(APIHarness.count("/v1/folder/ls.cgi", in: emulator) == client.configuration.maxAttempts)

            // end.pl answering its HTML "please wait" page even with JSON: 1.
            emulator.faults.failNextUploads(1, with: .endPagePleaseWait)
            let upload = await APIHarness.failure {
                try await client.upload(BytesUploadBody([1, 2, 3]), named: "wait.bin", to: 0)
            }
            #expect(upload?.kind == .providerProtocol && upload?.remoteStateUnknown == true)
            #expect(upload?.message.contains("HTML") == true)
            #expect(APIHarness.count("/end.pl", in: emulator) == 3)
        }
    }

    @Test func emptyLinksIsAProtocolErrorWithUnknownState() async throws {
        try await APIHarness.with { emulator, client in
            emulator.faults.failNextUploads(1, with: .emptyLinks)
            let error = await APIHarness.failure {
                try await client.upload(BytesUploadBody([9, 9, 9]), named: "empty-links.bin", to: 0)
            }
            #expect(error?.kind == .providerProtocol && error?.remoteStateUnknown == true)
            #expect(APIHarness.count("/upload.cgi", in: emulator) == 1)
        }
    }

    @Test func emptyAndOversizedBodiesAreRefusedLocally() async throws {
        struct Huge: UploadBody {
            var length: Int64 { 300_000_000_001 }
            func makeReader() throws -> any ByteReader { BytesReader([]) }
        }
        try await APIHarness.with { emulator, client in
            let empty = await APIHarness.failure { try await client.upload(BytesUploadBody([]), named: "e", to: 0) }
            #expect(empty?.kind == .unsupported)
            let huge = await APIHarness.failure { try await client.upload(Huge(), named: "h", to: 0) }
            #expect(huge?.kind == .tooLarge)
            #expect(emulator.faults.requestLog.isEmpty)
        }
    }

    @Test func nodeServerErrorLeavesTheStateUnknown() async throws {
        try await APIHarness.with { emulator, client in
            emulator.faults.failNextUploads(1, with: .serverError(status: 500))
            let error = await APIHarness.failure { try await client.upload(BytesUploadBody([1]), named: "x", to: 0) }
            #expect(error?.kind == .network && error?.remoteStateUnknown == true && error?.provider?.httpStatus == 500)
            #expect(APIHarness.count("/upload.cgi", in: emulator) == 1)
        }
    }

    @Test func nonIdempotentCallsAreNotRetriedAfterReachingTheServer() async throws {
        try await APIHarness.with { emulator, client in
            emulator.faults.failNextAPICalls(1, status: 503, path: "folder/mkdir.cgi")
            let error = await APIHarness.failure { try await client.makeFolder(named: "once", in: 0) }
            #expect(error?.kind == .network && error?.provider?.httpStatus == 503)
            #expect(APIHarness.count("/v1/folder/mkdir.cgi", in: emulator) == 1)
            // An idempotent call recovers from the same fault.
            emulator.faults.failNextAPICalls(2, status: 503, path: "folder/ls.cgi")
            _ = try await client.listFolder(0)
            #expect(APIHarness.count("/v1/folder/ls.cgi", in: emulator) == 3)
        }
    }

    @Test func connectionRefusedIsRetriedEvenForMutations() async throws {
        // A port nothing listens on: the request never reaches a server.
        var configuration = try FichierConfiguration(apiURL: "http://127.0.0.1:9/v1",
                                                     credentials: StaticCredentials(APIKey(APIHarness.key)))
        configuration.pace = .zero
        configuration.maxBackoff = .milliseconds(20)
        configuration.maxAttempts = 3
        let client = FichierClient(configuration: configuration)
        let events = client.pacerEvents
        let error = await APIHarness.failure { try await client.makeFolder(named: "x", in: 0) }
        #expect(error?.kind == .network && error?.retryable == true && error?.remoteStateUnknown == false)
        var retries = 0
        for await event in events {
            if case .retrying(let endpoint, _, _, _) = event, endpoint == "folder/mkdir.cgi" { retries += 1 }
            if retries == 2 { break }
        }
        #expect(retries == 2)
    }
}

import Foundation
import Testing
@testable import FichierAPI
@testable import FichierEmulator

/// The upload flow against the node's real failure modes.
@Suite struct UploadFaultTests {
    @Test func nodeFailurePageIsRetriedOnceOnAFreshNode() async throws {
        try await APIHarness.with { emulator, client in
            emulator.faults.failNextUploads(1, with: .nodeFailurePage)
            let file = try await client.upload(BytesUploadBody(Array("retry me".utf8)), named: "retry.txt", to: 0)
            #expect(file.size == 8 && emulator.admin.file(url: file.url) != nil)
            #expect(APIHarness.count("/v1/upload/get_upload_server.cgi", in: emulator) == 2)
            #expect(APIHarness.count("/upload.cgi", in: emulator) == 2)
            #expect(emulator.admin.files(in: 0).count == 1)
        }
    }

    @Test func secondNodeFailureIsReported() async throws {
        try await APIHarness.with { emulator, client in
            emulator.faults.failNextUploads(2, with: .nodeFailurePage)
            let error = await APIHarness.failure { try await client.upload(BytesUploadBody([1, 2]), named: "x", to: 0) }
            #expect(error?.kind == .providerProtocol && error?.remoteStateUnknown == false)
            #expect(error?.message.contains("Ne peut ouvrir le fichier destination") == true)
            #expect(APIHarness.count("/upload.cgi", in: emulator) == 2)
            #expect(emulator.admin.files(in: 0).isEmpty)
        }
    }

    @Test func pleaseWaitPageIsPolledUntilTheReportComes() async throws {
        try await APIHarness.with { emulator, client in
            emulator.faults.failNextUploads(1, with: .endPagePleaseWaitThenReport(calls: 2))
            let file = try await client.upload(BytesUploadBody([7, 7, 7, 7]), named: "slow.bin", to: 0)
            #expect(file.size == 4)
            #expect(APIHarness.count("/end.pl", in: emulator) == 3)
            #expect(APIHarness.count("/upload.cgi", in: emulator) == 1)
        }
    }

    @Test func droppedConnectionMidUploadIsAFailure() async throws {
        try await APIHarness.with { emulator, client in
            emulator.faults.failNextUploads(1, with: .dropConnection(afterBytes: 256 << 10))
            let body = GeneratedBody(length: 64 << 20)
            let error = await APIHarness.failure { try await client.upload(body, named: "dropped.bin", to: 0) }
            #expect(error?.kind == .network)
            // The body was cut short, so the node cannot have stored it.
            #expect(error?.remoteStateUnknown == false)
            // Not re-sent: one node, no report asked, nothing stored.
            #expect(APIHarness.count("/v1/upload/get_upload_server.cgi", in: emulator) == 1)
            #expect(APIHarness.count("/end.pl", in: emulator) == 0)
            #expect(emulator.admin.files(in: 0).isEmpty)
        }
    }

    @Test func progressCoversTheFileBytes() async throws {
        try await APIHarness.with { _, client in
            let seen = Locked<[TransferProgress]>([])
            let body = GeneratedBody(length: 3 << 20)
            _ = try await client.upload(body, named: "progress.bin", to: 0) { update in
                seen.withLock { $0.append(update) }
            }
            let updates = seen.current
            #expect(updates.last == TransferProgress(bytesDone: 3 << 20, bytesTotal: 3 << 20))
            #expect(zip(updates, updates.dropFirst()).allSatisfy { $0.bytesDone <= $1.bytesDone })
        }
    }
}

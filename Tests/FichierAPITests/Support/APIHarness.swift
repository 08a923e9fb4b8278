import Foundation
import Testing
@testable import FichierAPI
@testable import FichierEmulator

/// Starts an in-process emulator on a free port, builds a client for it, runs a body, stops.
enum APIHarness {
    static let key = "api-harness-key-0123456789abcdefgh"

    /// Test defaults: no pacing, short pauses and windows so failure paths stay fast.
    static func clientConfiguration(for emulator: Emulator, key: String = APIHarness.key) throws -> FichierConfiguration {
        var configuration = try FichierConfiguration(apiURL: emulator.apiURL, credentials: StaticCredentials(APIKey(key)))
        configuration.pace = .zero
        configuration.floodPause = .milliseconds(300)
        configuration.maxBackoff = .milliseconds(100)
        configuration.listingWindow = .milliseconds(500)
        configuration.uploadReportDelay = .milliseconds(20)
        configuration.connectTimeout = .seconds(5)
        return configuration
    }

    static func with<T>(emulator change: (inout EmulatorConfiguration) -> Void = { _ in },
                        client configure: (inout FichierConfiguration) -> Void = { _ in },
                        _ body: (Emulator, FichierClient) async throws -> T) async throws -> T {
        var emulatorConfiguration = EmulatorConfiguration(apiKeys: [key])
        change(&emulatorConfiguration)
        let emulator = Emulator(emulatorConfiguration)
        try await emulator.start()
        do {
            var configuration = try clientConfiguration(for: emulator)
            configure(&configuration)
            let client = FichierClient(configuration: configuration)
            let result = try await body(emulator, client)
            await emulator.stop()
            return result
        } catch {
            await emulator.stop()
            throw error
        }
    }

    /// The error a throwing call ends with, as a FichierError (records an issue otherwise).
    static func failure<T>(_ body: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation) async -> FichierError? {
        do {
            _ = try await body()
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return nil
        } catch let error as FichierError {
            return error
        } catch {
            Issue.record("not a FichierError: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// API and node paths the emulator answered, in order.
    static func paths(_ emulator: Emulator) -> [String] {
        emulator.faults.requestLog.map(\.path)
    }

    static func count(_ path: String, in emulator: Emulator) -> Int {
        emulator.faults.requestLog.filter { $0.path == path }.count
    }
}

/// Collects a download in memory (small test files only).
final class MemorySink: ResponseSink, @unchecked Sendable {
    private(set) var status = 0
    private(set) var bytes: [UInt8] = []

    func begin(status: Int, headers: HTTPHeaders) throws {
        self.status = status
        bytes = []
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: chunk)
    }
}

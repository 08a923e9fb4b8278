import FichierEmulator
import Foundation
import Testing

/// pyOneFichierClient 1.0.4 (PyPI, unmodified; fetched by scripts/fetch-interop-clients)
/// against the emulator: a second independent client, built on `requests`, that parses
/// end.pl's HTML and reads the API's fields by name.
@Suite("pyOneFichierClient against the emulator")
struct PyOneFichierInteropTests {
    @Test("upload, info, download link, remote upload, move, copy, remove")
    func session() async throws {
        let packages = InteropHarness.repositoryRoot.appendingPathComponent(".build/interop-python")
        #expect(FileManager.default.fileExists(atPath: packages.appendingPathComponent(".complete").path),
                "pyOneFichierClient is missing: run scripts/fetch-interop-clients (make test does)")
        try await InteropHarness.with { harness in
            var environment = harness.clientEnvironment
            environment["PYTHONPATH"] = packages.path
            environment["INTEROP_API_KEY"] = InteropHarness.apiKey
            let folder = try harness.emulator.admin.makeFolder(named: "moved here", in: 0)
            environment["INTEROP_FOLDER_ID"] = String(folder)
            let directory = harness.workDirectory.appendingPathComponent("python")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let result = try await ChildProcess.run(
                "python3", [InteropHarness.supportDirectory.appendingPathComponent("pyonefichier_session.py").path],
                environment: environment, directory: directory)
            #expect(result.status == 0, "\(result)")

            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let uploaded = try #require(report["uploaded"] as? String)
            // What the client uploaded, moved and removed really happened in the emulator.
            #expect(harness.emulator.admin.file(url: uploaded) == nil)
            let names = harness.emulator.admin.allFiles.map(\.name)
            #expect(names.contains("remote.bin"))
            // The original was moved into `folder`, then removed; its copy went to the root (the
            // client sends folder_id 0 with an empty sharing_user) under the moved name.
            #expect(harness.emulator.admin.files(in: folder).isEmpty)
            #expect(harness.emulator.admin.files(in: 0).map(\.name).contains("moved.dat"))
        }
    }
}

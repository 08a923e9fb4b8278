import FichierAPI
import Foundation
import Synchronization

/// Results of file/scan.cgi, cached for 6 hours like the service.
final class ScanCache: Sendable {
    private let results = Mutex([String: (date: String, at: ContinuousClock.Instant)]())

    /// The cached scan date for a file, or nil (and records a new scan).
    func scan(fileID: String) -> String? {
        results.withLock { results in
            if let cached = results[fileID], ContinuousClock.now - cached.at < .seconds(6 * 3_600) {
                return cached.date
            }
            results[fileID] = (ParisTime.format(Date()), .now)
            return nil
        }
    }
}

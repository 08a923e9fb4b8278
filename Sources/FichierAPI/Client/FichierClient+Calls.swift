import Foundation
import Logging

/// The one way an API call is made: pacer slot → POST JSON with the Bearer key → classify →
/// retry when the policy allows.
extension FichierClient {
    /// Calls an API endpoint and returns the JSON object of its success.
    ///
    /// Retries happen for retryable failures of idempotent endpoints, for any endpoint whose
    /// request never reached the server (connection failure), and after a flood lock (1fichier
    /// refused before acting). Each retry waits for the pacer's grown interval.
    func call(_ endpoint: Endpoint, _ body: JSONValue = .object([:])) async throws(FichierError) -> JSONValue {
        precondition(endpoint.host == .api, "node endpoints have their own flow")
        var attempt = 0
        while true {
            attempt += 1
            try await pacer.acquire()
            let key = try await apiKey()
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/json")
            headers.add("Accept", "application/json")
            headers.add("User-Agent", configuration.userAgent)
            let request = HTTPRequest(method: .post, url: endpoint.url(apiURL: configuration.apiURL),
                                      headers: headers, body: .bytes(body.serialized()), timeouts: timeouts,
                                      bearer: key, responseBodyLimit: configuration.responseBodyLimit,
                                      acceptCompressed: true)
            let started = ContinuousClock.now
            do throws(FichierError) {
                let response: HTTPResponse
                do {
                    response = try await transport.send(request)
                } catch {
                    throw FichierError.wrapping(error, as: .network, context: "request failed")
                }
                logger.debug("1fichier call", metadata: [
                    "endpoint": "\(endpoint.path)", "status": "\(response.status)",
                    "ms": "\(CurlTransfer.milliseconds(ContinuousClock.now - started))",
                ])
                let json = try ResponseInterpreter.object(from: response)
                await pacer.succeeded()
                return json
            } catch {
                try await handleFailure(error, endpoint: endpoint, attempt: attempt)
            }
        }
    }

    /// Decides whether a failed attempt is tried again (returns) or reported (throws).
    func handleFailure(_ error: FichierError, endpoint: Endpoint, attempt: Int) async throws(FichierError) {
        var error = error
        if error.kind == .cancelled { throw error }
        if error.isFloodLock {
            let pause = await pacer.flooded(providerCode: error.provider?.code, atLeast: error.retryAfter)
            error.retryAfter = pause
            logger.warning("1fichier flood lock; pausing every call", metadata: [
                "endpoint": "\(endpoint.path)", "pause": "\(pause)", "code": "\(error.provider?.code.map(String.init) ?? "-")",
            ])
            if attempt < configuration.maxAttempts { return }
            throw error
        }
        let reachedServer = error.transport?.neverReachedServer != true
        // A rate-limit refusal (429) was not acted upon either, so any call may be repeated.
        let mayRetry = error.retryable && (endpoint.isIdempotent || !reachedServer || error.kind == .rateLimited)
        if error.retryable {
            let delay = await pacer.failed()
            if error.retryAfter == nil { error.retryAfter = delay }
            if mayRetry && attempt < configuration.maxAttempts {
                await pacer.publish(.retrying(endpoint: endpoint.path, attempt: attempt + 1, delay: delay, kind: error.kind))
                logger.info("retrying 1fichier call", metadata: [
                    "endpoint": "\(endpoint.path)", "attempt": "\(attempt + 1)", "kind": "\(error.kind.rawValue)",
                ])
                return
            }
        }
        if !endpoint.isIdempotent && reachedServer && error.kind == .network {
            error.remoteStateUnknown = true
        }
        throw error
    }
}

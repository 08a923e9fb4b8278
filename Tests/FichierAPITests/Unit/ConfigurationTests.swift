import Testing
@testable import FichierAPI

@Suite struct ConfigurationTests {
    @Test func acceptedBaseURLs() throws {
        #expect(try FichierConfiguration.validatedBaseURL("https://api.1fichier.com/v1/") == "https://api.1fichier.com/v1")
        #expect(try FichierConfiguration.validatedBaseURL("http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v1")
        #expect(try FichierConfiguration.validatedBaseURL("http://localhost:1/v1") == "http://localhost:1/v1")
        #expect(try FichierConfiguration.validatedBaseURL("http://[::1]:9/v1") == "http://[::1]:9/v1")
        let configuration = try FichierConfiguration(credentials: StaticCredentials(nil))
        #expect(configuration.apiURL == FichierConfiguration.defaultAPIURL)
        #expect(configuration.pace == .milliseconds(400) && configuration.floodPause == .seconds(30))
        #expect(configuration.maxBackoff == .seconds(5) && configuration.listingWindow == .seconds(30))
    }

    @Test(arguments: ["http://api.1fichier.com/v1", "ftp://127.0.0.1/v1", "https://user:pw@api.1fichier.com/v1",
                      "https://api.1fichier.com/v1?x=1", "not a url", "", "http://127.0.0.1.evil.com/v1",
                      "http://128.0.0.1/v1"])
    func refusedBaseURLs(_ text: String) {
        do {
            _ = try FichierConfiguration(apiURL: text, credentials: StaticCredentials(nil))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.kind == .invalidConfiguration)
        }
    }

    @Test func apiKeyIsTrimmedRedactedAndChecked() throws {
        let key = try #require(APIKey("  abcDEF123-_=\n"))
        #expect(key.withUnsafeBytes { Array($0) } == Array("abcDEF123-_=".utf8))
        #expect("\(key)" == "<redacted>" && String(reflecting: key) == "APIKey(<redacted>)")
        #expect(APIKey("") == nil && APIKey(" \n\t") == nil)
        #expect(APIKey("abc\r\nX-Evil: 1") == nil && APIKey("a b") == nil)
        #expect(APIKey(bytes: Array("key\n".utf8))?.withUnsafeBytes { $0.count } == 3)
    }

    @Test func missingKeyIsAuthMissing() async {
        do {
            _ = try await StaticCredentials(nil).apiKey()
            Issue.record("no error")
        } catch {
            #expect((error as? FichierError)?.kind == .authMissing)
        }
    }

    @Test func endpointTableIsComplete() {
        #expect(Endpoint.allCases.count == 19)
        #expect(Set(Endpoint.allCases.map(\.path)).count == 19)
        for endpoint in Endpoint.allCases where endpoint.host == .api {
            #expect(endpoint.method == .post && endpoint.path.hasSuffix(".cgi"))
        }
        #expect(Endpoint.uploadFile.host == .uploadNode && Endpoint.uploadReport.method == .get)
        let nonIdempotent = Endpoint.allCases.filter { !$0.isIdempotent }.map(\.path).sorted()
        #expect(nonIdempotent == ["file/cp.cgi", "file/mv.cgi", "file/rename.cgi", "file/rm.cgi", "folder/mkdir.cgi",
                                  "folder/mv.cgi", "folder/rm.cgi", "remote/request.cgi", "upload.cgi"])
        #expect(Endpoint.folderList.url(apiURL: "https://api.1fichier.com/v1") == "https://api.1fichier.com/v1/folder/ls.cgi")
        #expect(Endpoint.uploadReport.url(scheme: "https", node: "up2.1fichier.com", query: "xid=A") == "https://up2.1fichier.com/end.pl?xid=A")
    }
}

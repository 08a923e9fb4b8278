import HTTPTypes

/// A refusal of an API call: `{"status":"KO","message":"<text> #<n>"}` with an HTTP status.
///
/// Texts and numbers marked "observed" come from the reference (§2.2); the others are the
/// emulator's own (numbers 9xx), for cases whose real wording is unknown.
struct APIError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var message: String

    var body: WireJSON { ["status": "KO", "message": .string(message)] }

    // Observed texts.
    static let notAuthenticated = APIError(status: .unauthorized, message: "Not authenticated #247")
    static let contentTypeNotJSON = APIError(status: .forbidden, message: "Content-Type not JSON #24")
    static let resourceNotFound = APIError(status: .notFound, message: "Resource not found #469")
    static let resourceNotAllowed = APIError(status: .forbidden, message: "Resource not allowed #631")
    static let passwordNotProvided = APIError(
        status: .forbidden, message: "Password not provided. Resource not allowed #631")
    static let invalidPassword = APIError(status: .forbidden, message: "Invalid password. Resource not allowed #631")
    static let noFileRenamed = APIError(status: .ok, message: "No file has been renamed #312")
    static let flood = APIError(status: .forbidden, message: "Flood detected: IP Locked #374")
    static let userInfoFlood = APIError(status: .forbidden, message: "Flood detected: IP Locked #38")

    // The emulator's own texts.
    static let invalidJSON = APIError(status: .forbidden, message: "Invalid JSON in request body #901")
    static func invalidParameter(_ name: String) -> APIError {
        APIError(status: .forbidden, message: "Missing or invalid parameter: \(name) #902")
    }
    static let folderExists = APIError(
        status: .forbidden, message: "Another folder with the same name already exists #903")
    /// 200 + KO: rclone checks `status` after a 2xx reply of folder/rm, which suggests the
    /// service refuses this way.
    static let folderNotEmpty = APIError(status: .ok, message: "Folder is not empty #904")
    static func invalidName(_ name: String) -> APIError {
        APIError(status: .forbidden, message: "Invalid name: \(name) #905")
    }
    static let folderIntoItself = APIError(
        status: .forbidden, message: "Cannot move a folder into itself or its sub-folders #906")
    static let rootFolder = APIError(status: .forbidden, message: "The root folder cannot be changed #907")
    static let methodNotAllowed = APIError(status: .methodNotAllowed, message: "Method not allowed #908")
    static let oneURLOnly = APIError(status: .forbidden, message: "Only one URL allowed with this parameter #909")
    static let tooLargeToScan = APIError(status: .forbidden, message: "File too large for scan (5 GB max) #910")
    static let bodyTooLarge = APIError(status: .contentTooLarge, message: "Request body too large #911")
    static let tooManyURLs = APIError(status: .forbidden, message: "Too many URLs (100 max) #912")
}

/// A failure of the upload node, injected with `FaultInjector.failNextUploads(_:with:)`.
public enum UploadFault: Sendable, Equatable {
    /// upload.cgi reads the body, stores nothing and answers 200 with the HTML page
    /// `<div class="bloc2">Ne peut ouvrir le fichier destination</div>` and no Location.
    case nodeFailurePage
    /// The upload is stored, but every end.pl call for it answers the "please wait" HTML page,
    /// even with `JSON: 1`.
    case endPagePleaseWait
    /// Like `endPagePleaseWait` for the first `calls` end.pl calls, then the normal report.
    case endPagePleaseWaitThenReport(calls: Int)
    /// The upload is stored, but end.pl answers `{"incoming":0,"links":[]}`.
    case emptyLinks
    /// upload.cgi reads the body, stores nothing and answers this status with an HTML page.
    case serverError(status: Int)
    /// The connection is reset after this many body bytes; nothing is stored.
    case dropConnection(afterBytes: Int64)
}

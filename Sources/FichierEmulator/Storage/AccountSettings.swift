/// The account behind every accepted key: the settings user/info.cgi reports and can change.
struct AccountSettings: Codable, Sendable, Equatable {
    var ftpMode = 0
    var ftpDID = 0
    var ftpReport = 0
    var ruReport = 0
    var defaultDomain = 0
    var pageLimit = 20
    var defaultPort = 0
    var defaultPortFiles = 0
    var useCDN = 0
    var downloadMenu = 0

    /// The settable user/info parameters, with their allowed ranges.
    static var settable: [(key: String, range: ClosedRange<Int>, path: WritableKeyPath<AccountSettings, Int>)] {
        [
        ("ftp_mode", 0...1, \.ftpMode), ("ftp_did", 0...Int.max, \.ftpDID),
        ("ftp_report", 0...1, \.ftpReport), ("ru_report", 0...1, \.ruReport),
        ("default_domain", 0...(FileURL.domains.count - 1), \.defaultDomain),
        ("page_limit", 1...1000, \.pageLimit), ("default_port", 0...1, \.defaultPort),
        ("default_port_files", 0...1, \.defaultPortFiles), ("use_cdn", 0...1, \.useCDN),
        ("download_menu", 0...1, \.downloadMenu),
        ]
    }
}

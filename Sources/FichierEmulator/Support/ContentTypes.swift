import Foundation

/// Content types guessed from a file name's extension, as the service reports them in `content-type`.
enum ContentTypes {
    static let fallback = "application/octet-stream"

    private static let byExtension: [String: String] = [
        "txt": "text/plain", "text": "text/plain", "log": "text/plain", "md": "text/markdown",
        "csv": "text/csv", "htm": "text/html", "html": "text/html", "css": "text/css",
        "xml": "text/xml", "js": "application/javascript", "json": "application/json",
        "pdf": "application/pdf", "zip": "application/zip", "gz": "application/gzip",
        "tgz": "application/gzip", "bz2": "application/x-bzip2", "xz": "application/x-xz",
        "zst": "application/zstd", "7z": "application/x-7z-compressed", "rar": "application/x-rar-compressed",
        "tar": "application/x-tar", "iso": "application/x-iso9660-image", "jar": "application/java-archive",
        "apk": "application/vnd.android.package-archive", "exe": "application/x-msdownload",
        "msi": "application/x-msdownload", "deb": "application/vnd.debian.binary-package",
        "rpm": "application/x-rpm", "dmg": "application/x-apple-diskimage",
        "doc": "application/msword", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt": "application/vnd.ms-powerpoint", "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "epub": "application/epub+zip", "torrent": "application/x-bittorrent",
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
        "webp": "image/webp", "bmp": "image/bmp", "svg": "image/svg+xml", "ico": "image/x-icon",
        "tif": "image/tiff", "tiff": "image/tiff", "heic": "image/heic",
        "mp3": "audio/mpeg", "flac": "audio/flac", "ogg": "audio/ogg", "wav": "audio/x-wav",
        "m4a": "audio/mp4", "aac": "audio/aac", "opus": "audio/opus",
        "mp4": "video/mp4", "m4v": "video/mp4", "mkv": "video/x-matroska", "avi": "video/x-msvideo",
        "mov": "video/quicktime", "webm": "video/webm", "wmv": "video/x-ms-wmv", "mpg": "video/mpeg",
        "mpeg": "video/mpeg", "ts": "video/mp2t", "srt": "application/x-subrip",
        "age": "application/octet-stream", "bin": "application/octet-stream",
    ]

    /// The type for a file name; falls back to the part's declared type, then to octet-stream.
    static func guess(fileName: String, declared: String? = nil) -> String {
        if let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex {
            let ext = fileName[fileName.index(after: dot)...].lowercased()
            if let known = byExtension[ext] { return known }
        }
        if let declared {
            let bare = declared.split(separator: ";", maxSplits: 1).first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            } ?? ""
            if bare.contains("/"), !bare.contains(" ") { return bare }
        }
        return fallback
    }
}

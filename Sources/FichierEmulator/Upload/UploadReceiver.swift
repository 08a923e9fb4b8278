import FichierAPI

/// Consumes the parts of an upload.cgi body: `file[]` parts are streamed to temporary files
/// (hashed on the way in disk mode, only counted in discard mode), form fields are collected.
///
/// The node is strict in the ways clients reported: the first part header must be
/// Content-Disposition, and `name`/`filename` must be quoted; other parts are ignored.
/// Not Sendable: one per request.
final class UploadReceiver: MultipartPartHandler {
    struct ReceivedFile {
        var name: String
        var declaredType: String?
        /// Where the bytes are, in disk mode.
        var temporaryPath: String?
        var size: Int64
        var checksum: String
    }

    /// Largest form field value kept.
    static let maximumFieldBytes = 64 * 1024
    /// The documented per-request limit of 500 files.
    static let maximumFiles = 500

    private enum Part {
        case file(name: String, declaredType: String?, output: WritableFile?, hasher: Whirlpool?, size: Int64)
        case field(name: String, value: [UInt8])
        case ignored
    }

    private let store: EmulatorStore
    private(set) var files: [ReceivedFile] = []
    private(set) var fields: [String: String] = [:]
    private var part = Part.ignored

    init(store: EmulatorStore) {
        self.store = store
    }

    func partBegan(headers: [MultipartHeader]) throws {
        part = .ignored
        guard let first = headers.first, first.name.lowercased() == "content-disposition",
              let disposition = ContentDisposition(parsing: first.value), disposition.type == "form-data",
              let name = disposition.parameter("name"), name.quoted
        else { return }
        let declaredType = headers.first { $0.name.lowercased() == "content-type" }?.value
        if let fileName = disposition.fileName, disposition.parameter("filename")?.quoted ?? true {
            guard name.value == "file[]", files.count < Self.maximumFiles else { return }
            let baseName = Self.baseName(fileName)
            guard !baseName.isEmpty else { return }
            switch store.storage {
            case .disk:
                let output = try WritableFile(creating: store.incomingPath())
                part = .file(name: baseName, declaredType: declaredType, output: output, hasher: Whirlpool(), size: 0)
            case .discard:
                part = .file(name: baseName, declaredType: declaredType, output: nil, hasher: nil, size: 0)
            }
        } else if disposition.parameter("filename") == nil {
            part = .field(name: name.value, value: [])
        }
    }

    func partBytes(_ bytes: UnsafeRawBufferPointer) throws {
        switch part {
        case .file(let name, let declaredType, let output, let hasher, let size):
            try output?.write(bytes)
            hasher?.update(bytes)
            part = .file(name: name, declaredType: declaredType, output: output, hasher: hasher, size: size + Int64(bytes.count))
        case .field(let name, var value):
            part = .ignored  // drop the reference while appending, so `value` stays unique
            if value.count < Self.maximumFieldBytes {
                value.append(contentsOf: bytes.prefix(Self.maximumFieldBytes - value.count))
            }
            part = .field(name: name, value: value)
        case .ignored:
            break
        }
    }

    func partEnded() throws {
        defer { part = .ignored }
        switch part {
        case .file(let name, let declaredType, let output, let hasher, let size):
            try output?.close()
            files.append(ReceivedFile(
                name: name, declaredType: declaredType, temporaryPath: output?.path, size: size,
                checksum: hasher?.finalize() ?? ""))
        case .field(let name, let value):
            if fields[name] == nil { fields[name] = String(decoding: value, as: UTF8.self) }
        case .ignored:
            break
        }
    }

    /// Removes every temporary file (after a refusal or a dropped connection).
    func discardAll() {
        if case .file(_, _, let output?, _, _) = part {
            try? output.close()
            FileSystem.remove(output.path)
        }
        part = .ignored
        for file in files {
            if let path = file.temporaryPath { FileSystem.remove(path) }
        }
        files = []
    }

    /// Drops one received file's temporary bytes (an empty or refused file).
    func discard(_ file: ReceivedFile) {
        if let path = file.temporaryPath { FileSystem.remove(path) }
    }

    /// The last path component: browsers of old sent full client paths.
    static func baseName(_ name: String) -> String {
        var text = name
        if let slash = text.lastIndex(where: { $0 == "/" || $0 == "\\" }) {
            text = String(text[text.index(after: slash)...])
        }
        return text
    }
}

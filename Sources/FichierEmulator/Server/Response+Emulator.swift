import Hummingbird
import NIOCore

extension Response {
    /// A JSON answer as the service sends it (`application/json; charset=utf-8`).
    static func json(_ value: WireJSON, status: HTTPResponse.Status = .ok, pretty: Bool = false) -> Response {
        let bytes = value.serialized(pretty: pretty)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An HTML page.
    static func html(_ text: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// nginx's plain error page, e.g. for unknown paths.
    static func nginxError(_ status: HTTPResponse.Status) -> Response {
        let title = "\(status.code) \(status.reasonPhrase)"
        return .html(
            "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n"
                + "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
            status: status)
    }
}

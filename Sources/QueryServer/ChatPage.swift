import Hummingbird

/// `GET /`: the chat page (Resources/chat.html), compiled into the binary by SwiftPM's
/// `.embedInCode` rule: no files beside the binary, no CDN, works offline.
enum ChatPage {
    static func response() -> Response {
        Response(status: .ok,
                 headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache",
                           // Only this origin: the page's own inline script and style, and the API.
                           .contentSecurityPolicy: "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:"],
                 body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.chat_html)))
    }
}

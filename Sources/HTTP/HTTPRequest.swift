/// The HTTP/1.x versions a request may name.
public enum HTTPVersion: Sendable, Equatable {
    case http10
    case http11
}

/// One header field as received: the name lowercased (field names are case-insensitive,
/// RFC 9110 §5.1), the value without the whitespace around it.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A request without a body, as `HTTPRequestParser` returns it.
public struct HTTPRequest: Sendable, Equatable {
    /// The method as sent (methods are case-sensitive, RFC 9110 §9.1): `GET`, `HEAD`, ….
    public var method: String
    /// The path of the request target, without its query (`/metrics` for `/metrics?x=1` and for
    /// the absolute form `http://host:9355/metrics`).
    public var path: String
    /// The query after `?`, if any.
    public var query: String?
    public var version: HTTPVersion
    public var headers: [HTTPHeader]
    /// Whether the connection stays open after the response (RFC 9112 §9.3): HTTP/1.1 unless
    /// the client sent `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var keepsConnectionOpen: Bool

    public init(method: String, path: String, query: String? = nil, version: HTTPVersion = .http11,
                headers: [HTTPHeader] = [], keepsConnectionOpen: Bool = true) {
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.keepsConnectionOpen = keepsConnectionOpen
    }

    /// The value of the first header named `name` (lowercase).
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// Whether the response carries its body: every method but `HEAD` (RFC 9110 §9.3.2).
    public var wantsBody: Bool { method != "HEAD" }
}

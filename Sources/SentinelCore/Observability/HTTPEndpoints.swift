import HTTP

/// The answers of the metrics port: the shell parses the request and writes the bytes; which
/// path means what, and what it says, is decided here.
extension Sentinel {
    /// The paths served and what a request for anything else is told.
    static let httpEndpoints = "/metrics, /healthz and /readyz"

    /// The response to `request` at `time` (a read: it changes no state):
    /// - `GET /metrics`: `metricsText`, in the Prometheus text format 0.0.4;
    /// - `GET /healthz`: 200 `ok` — the event loop is alive, since it answered;
    /// - `GET /readyz`: 200 `ready`, or 503 with `readinessProblems`, one a line;
    /// - `HEAD` as `GET`; any other method 405, any other path 404.
    public func answer(_ request: HTTPRequest, at time: Timestamp) -> HTTPResponse {
        func text(_ status: HTTPStatus, _ body: String, headers: [HTTPHeader] = []) -> HTTPResponse {
            HTTPResponse(status: status, contentType: HTTPResponse.plainText, body: Array(body.utf8), headers: headers)
        }
        guard ["/metrics", "/healthz", "/readyz"].contains(request.path) else {
            return text(.notFound, "not found: the endpoints are \(Sentinel.httpEndpoints)\n")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return text(.methodNotAllowed, "only GET and HEAD are served\n", headers: [HTTPHeader(name: "Allow", value: "GET, HEAD")])
        }
        switch request.path {
        case "/metrics":
            return HTTPResponse(status: .ok, contentType: Sentinel.metricsContentType, body: metricsText(at: time))
        case "/healthz":
            return text(.ok, "ok\n")
        default:
            let problems = readinessProblems()
            return problems.isEmpty ? text(.ok, "ready\n") : text(.serviceUnavailable, problems.joined(separator: "\n") + "\n")
        }
    }
}

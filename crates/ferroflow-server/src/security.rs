//! The security middleware MLflow 3.17 runs by default (`mlflow/server/fastapi_security.py`):
//! a Host-header allow-list against DNS rebinding, CORS answers and the refusal of cross-origin
//! state-changing API requests, and the `X-Content-Type-Options`/`X-Frame-Options` headers.
//!
//! Same status codes and plain-text bodies as the official server. Deliberate differences (each
//! makes an attack harder or a legitimate request possible, see README "Security"):
//! - the default Host allow-list matches private *IP literals* (parsed), not glob prefixes: MLflow's
//!   `10.*` also admits `10.evil.example`, a name an attacker can point at 127.0.0.1, and misses
//!   bracketed private IPv6 hosts (`[fd00::1]:5000`);
//! - host and origin patterns compare case-insensitively, as DNS names do;
//! - a write whose `Origin` names the very host the request was sent to (same origin, after the
//!   Host check passed) is not cross-origin, so the web UI works on a LAN address without
//!   `--cors-allowed-origins`.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// MLflow's answer to a Host header outside the allow-list.
pub const INVALID_HOST_MSG: &str = "Invalid Host header - possible DNS rebinding attack detected";
/// MLflow's answer to a refused cross-origin write.
pub const CORS_BLOCKED_MSG: &str = "Cross-origin request blocked";

/// Paths answered whatever the Host header says (load balancers probe them by IP or name).
const HEALTH_PATHS: [&str; 2] = ["/health", "/version"];
const ALLOWED_METHODS: &str = "GET, POST, PUT, DELETE, OPTIONS, PATCH";

/// What the CLI resolved from `--allowed-hosts`, `--cors-allowed-origins`, `--x-frame-options`
/// and their `MLFLOW_SERVER_*` environment variables. `--disable-security-middleware` means no
/// config at all (the layer is not installed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityConfig {
    /// Host patterns (`*` wildcards). Empty means the default: `localhost` and loopback or
    /// private IP addresses, any port. A lone `*` entry accepts every host.
    pub allowed_hosts: Vec<String>,
    /// Extra CORS origins (`*` wildcards) besides `http://localhost`, `http://127.0.0.1` and
    /// `http://[::1]` on any port. A lone `*` entry allows every origin without credentials.
    pub cors_allowed_origins: Vec<String>,
    /// `SAMEORIGIN` (default), `DENY`, or `None` for `NONE` (no header).
    pub x_frame_options: Option<String>,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            allowed_hosts: Vec::new(),
            cors_allowed_origins: Vec::new(),
            x_frame_options: Some("SAMEORIGIN".to_owned()),
        }
    }
}

impl SecurityConfig {
    /// Builds the config from the flags' comma-separated text, as `mlflow server` reads it.
    pub fn from_flags(
        allowed_hosts: Option<&str>,
        cors_allowed_origins: Option<&str>,
        x_frame_options: Option<&str>,
    ) -> Self {
        let x_frame_options = match x_frame_options.map(str::trim) {
            None | Some("") => Some("SAMEORIGIN".to_owned()),
            Some(v) if v.eq_ignore_ascii_case("none") => None,
            Some(v) => Some(v.to_ascii_uppercase()),
        };
        Self {
            allowed_hosts: split_list(allowed_hosts),
            cors_allowed_origins: split_list(cors_allowed_origins),
            x_frame_options,
        }
    }

    fn any_host(&self) -> bool {
        self.allowed_hosts.iter().any(|h| h == "*")
    }

    fn any_origin(&self) -> bool {
        self.cors_allowed_origins.iter().any(|o| o == "*")
    }

    /// Whether a request addressed to `host` (the Host header) may be answered.
    pub fn host_allowed(&self, host: &str) -> bool {
        if self.any_host() {
            return true;
        }
        if host.is_empty() {
            return false;
        }
        if self.allowed_hosts.is_empty() {
            return is_local_or_private_host(host);
        }
        self.allowed_hosts.iter().any(|p| pattern_matches(p, host))
    }

    /// Whether `origin` gets CORS response headers (and answered preflights).
    fn cors_origin_allowed(&self, origin: &str) -> bool {
        self.any_origin()
            || is_default_cors_origin(origin)
            || self
                .cors_allowed_origins
                .iter()
                .any(|p| pattern_matches(p, origin))
    }

    /// MLflow's `should_block_cors_request`, plus the same-origin exemption.
    fn blocks_write(&self, method: &Method, origin: Option<&str>, host: &str) -> bool {
        let Some(origin) = origin.filter(|o| !o.is_empty()) else {
            return false;
        };
        if !is_state_changing(method) || self.any_origin() {
            return false;
        }
        // Same origin only counts while the Host check runs: with `--allowed-hosts '*'` a
        // rebound attacker page is "same origin" with the name it rebound.
        if is_localhost_origin(origin) || (!self.any_host() && same_origin(origin, host)) {
            return false;
        }
        !self
            .cors_allowed_origins
            .iter()
            .any(|p| pattern_matches(p, origin))
    }
}

fn split_list(raw: Option<&str>) -> Vec<String> {
    raw.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// Wraps the application in the middleware.
pub fn secure(router: axum::Router, config: SecurityConfig) -> axum::Router {
    router.layer(axum::middleware::from_fn_with_state(
        Arc::new(config),
        guard,
    ))
}

async fn guard(State(cfg): State<Arc<SecurityConfig>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let host = request_host(&req).to_owned();
    if !HEALTH_PATHS.contains(&path.as_str()) && !cfg.host_allowed(&host) {
        tracing::warn!(host = %host, "rejected request with an invalid Host header");
        return plain(StatusCode::FORBIDDEN, INVALID_HOST_MSG);
    }
    let origin = header_str(req.headers(), header::ORIGIN).map(str::to_owned);
    let method = req.method().clone();
    if method == Method::OPTIONS
        && let Some(origin) = &origin
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        return preflight(&cfg, origin, req.headers());
    }
    let api = is_api_path(&path);
    if api && cfg.blocks_write(&method, origin.as_deref(), &host) {
        tracing::warn!(origin = ?origin, "blocked a cross-origin request");
        return plain(StatusCode::FORBIDDEN, CORS_BLOCKED_MSG);
    }
    let mut response = if method == Method::OPTIONS && api {
        // A bare OPTIONS (no preflight headers) on an API path: MLflow answers 204.
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    if let Some(origin) = &origin {
        simple_cors_headers(&cfg, origin, headers);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A response that chose its own framing policy keeps it (the web UI pages say DENY).
    if let Some(xfo) = cfg
        .x_frame_options
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
        && !headers.contains_key(header::X_FRAME_OPTIONS)
    {
        headers.insert(header::X_FRAME_OPTIONS, xfo);
    }
    response
}

/// The Host header, or the URI authority of an HTTP/2 request (`:authority`).
fn request_host(req: &Request) -> &str {
    header_str(req.headers(), header::HOST)
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .unwrap_or("")
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain")], text).into_response()
}

/// An answered CORS preflight, as Starlette's `CORSMiddleware` answers it for MLflow.
fn preflight(cfg: &SecurityConfig, origin: &str, req: &HeaderMap) -> Response {
    let wildcard = cfg.any_origin();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::VARY,
        HeaderValue::from_static(
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        ),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOWED_METHODS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    if !wildcard {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    let method_ok = header_str(req, header::ACCESS_CONTROL_REQUEST_METHOD)
        .is_some_and(|m| ALLOWED_METHODS.split(", ").any(|a| a == m.trim()));
    if !cfg.cors_origin_allowed(origin) {
        return (StatusCode::BAD_REQUEST, headers, "Disallowed CORS origin").into_response();
    }
    if !method_ok {
        return (StatusCode::BAD_REQUEST, headers, "Disallowed CORS method").into_response();
    }
    let allow_origin = if wildcard {
        HeaderValue::from_static("*")
    } else {
        HeaderValue::from_str(origin).unwrap_or_else(|_| HeaderValue::from_static("null"))
    };
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    if let Some(requested) = req.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
    }
    (StatusCode::OK, headers, "OK").into_response()
}

/// The headers Starlette adds to a non-preflight response of a request carrying `Origin`.
fn simple_cors_headers(cfg: &SecurityConfig, origin: &str, headers: &mut HeaderMap) {
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if !cfg.cors_origin_allowed(origin) {
        return;
    }
    let allow_origin = if cfg.any_origin() {
        HeaderValue::from_static("*")
    } else {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        match HeaderValue::from_str(origin) {
            Ok(v) => v,
            Err(_) => return,
        }
    };
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("*"),
    );
}

fn is_state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::DELETE | Method::PATCH
    )
}

/// MLflow's API prefixes (the tracking API, the web UI's copy and the artifact proxy).
fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/ajax-api/")
}

/// `host` or `[v6]` with an optional `:port`, split into the host part (brackets removed).
fn host_part(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(h, _)| h);
    }
    match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    }
}

/// The default allow-list: `localhost`, and loopback, unspecified or private (RFC 1918,
/// RFC 4193) IP literals, with any port.
fn is_local_or_private_host(authority: &str) -> bool {
    if let Some(rest) = authority.strip_prefix('[') {
        // `[v6]` or `[v6]:port`; anything else after the bracket is malformed.
        let Some((h, tail)) = rest.split_once(']') else {
            return false;
        };
        let port_ok = tail.is_empty()
            || tail
                .strip_prefix(':')
                .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        return port_ok && h.parse::<Ipv6Addr>().is_ok_and(is_private_v6);
    }
    let host = host_part(authority);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => is_private_v4(v4),
        // An IPv6 literal must be bracketed in a Host header; a bare one is accepted when it
        // parses whole (there is no port to confuse it with).
        _ => authority.parse::<Ipv6Addr>().is_ok_and(is_private_v6),
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    ip.is_loopback() || ip.is_private() || ip.is_unspecified()
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_private_v4(v4);
    }
    // fc00::/7 (unique local addresses).
    ip.is_loopback() || ip.is_unspecified() || (ip.segments()[0] & 0xfe00) == 0xfc00
}

/// The authority of `scheme://authority[/...]`.
fn origin_authority(origin: &str) -> Option<&str> {
    let (_, rest) = origin.split_once("://")?;
    Some(rest.split('/').next().unwrap_or(rest))
}

/// MLflow's `is_localhost_origin`: any scheme, host `localhost`, `127.0.0.1` or `::1`.
fn is_localhost_origin(origin: &str) -> bool {
    origin_authority(origin).is_some_and(|a| {
        let h = host_part(a);
        h.eq_ignore_ascii_case("localhost") || h == "127.0.0.1" || h == "::1"
    })
}

/// The origins MLflow's CORS middleware always answers: plain-http localhost, any port.
fn is_default_cors_origin(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://") else {
        return false;
    };
    let (host, port) = if let Some(v6) = rest.strip_prefix("[::1]") {
        ("[::1]", v6)
    } else {
        match rest.find(':') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        }
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// A page served from this very host writing back to it: not cross-origin.
fn same_origin(origin: &str, host: &str) -> bool {
    !host.is_empty() && origin_authority(origin).is_some_and(|a| a.eq_ignore_ascii_case(host))
}

/// MLflow's matching: a pattern with `*` is a glob (`*` any run, `?` one character), anything
/// else must equal the value. ASCII case is ignored. Linear-time (no backtracking blow-up).
fn pattern_matches(pattern: &str, value: &str) -> bool {
    if !pattern.contains('*') {
        return pattern.eq_ignore_ascii_case(value);
    }
    glob_match(pattern.as_bytes(), value.as_bytes())
}

/// Iterative wildcard matching with single-star backtracking: O(len(p) * len(v)) worst case.
fn glob_match(p: &[u8], v: &[u8]) -> bool {
    let (mut pi, mut vi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while vi < v.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&v[vi])) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, vi));
            pi += 1;
        } else if let Some((sp, sv)) = star {
            pi = sp + 1;
            vi = sv + 1;
            star = Some((sp, sv + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// Longest request target (path and query) answered; longer ones get 414 in MLflow's JSON
/// error format. hyper itself refuses targets over 64 KiB (with an empty 414) before any
/// middleware runs, so the limit sits below that; the official server accepts longer URLs but
/// no client request needs one (filters travel in POST bodies, or GET queries of a few KiB).
pub const MAX_URI_BYTES: usize = 32 * 1024;

/// Refuses over-long request targets before any handler decodes them. Always installed, with
/// or without the security middleware.
pub(crate) async fn limit_uri(req: Request, next: Next) -> Response {
    let len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if len > MAX_URI_BYTES {
        let err = ferroflow_api::ApiError::new(
            ferroflow_api::ErrorCode::BadRequest,
            format!(
                "Request URI is {len} bytes long; the server accepts at most {MAX_URI_BYTES}. \
                 Send large filters in a POST body."
            ),
        );
        return (StatusCode::URI_TOO_LONG, axum::Json(err.body())).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_hosts_are_local_names_and_private_ip_literals() {
        let cfg = SecurityConfig::default();
        for ok in [
            "localhost",
            "localhost:5000",
            "LOCALHOST:1",
            "127.0.0.1",
            "127.0.0.1:80",
            "[::1]",
            "[::1]:5000",
            "0.0.0.0:5000",
            "10.1.2.3",
            "10.1.2.3:80",
            "192.168.1.1",
            "172.16.0.1",
            "172.31.255.255:9",
            "[fd00::1]:80",
            "[fc12::1]",
        ] {
            assert!(cfg.host_allowed(ok), "{ok}");
        }
        for bad in [
            "",
            "evil",
            "evil.example:5000",
            "172.32.0.1",
            "8.8.8.8",
            "10.evil.example",
            "127.0.0.1.evil.example",
            "foo.localhost",
            "[2001:db8::1]",
            "[::1]x",
            "localhost:abc",
        ] {
            assert!(!cfg.host_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn configured_hosts_replace_the_defaults() {
        let cfg =
            SecurityConfig::from_flags(Some("mlflow.example.com, app-*.internal"), None, None);
        assert!(cfg.host_allowed("mlflow.example.com"));
        assert!(cfg.host_allowed("MLflow.Example.com"));
        assert!(cfg.host_allowed("app-1.internal"));
        assert!(!cfg.host_allowed("mlflow.example.com:5000"));
        assert!(!cfg.host_allowed("localhost"));
        assert!(SecurityConfig::from_flags(Some("*"), None, None).host_allowed("anything"));
    }

    #[test]
    fn globs_match_like_fnmatch_without_blowing_up() {
        assert!(glob_match(b"a*b?d", b"axxbcd"));
        assert!(!glob_match(b"a*b?d", b"axxbd"));
        assert!(glob_match(b"*", b""));
        let long = "a".repeat(5000);
        let pat = "*a".repeat(100) + "b";
        assert!(!glob_match(pat.as_bytes(), long.as_bytes()));
    }

    #[test]
    fn writes_from_foreign_origins_are_blocked() {
        let cfg = SecurityConfig::default();
        let post = Method::POST;
        assert!(cfg.blocks_write(&post, Some("http://evil.example"), "127.0.0.1:5000"));
        assert!(cfg.blocks_write(&post, Some("null"), "127.0.0.1:5000"));
        assert!(!cfg.blocks_write(&Method::GET, Some("http://evil.example"), "x"));
        assert!(!cfg.blocks_write(&post, None, "127.0.0.1:5000"));
        assert!(!cfg.blocks_write(&post, Some("http://localhost:3000"), "127.0.0.1:5000"));
        assert!(!cfg.blocks_write(&post, Some("https://127.0.0.1"), "127.0.0.1:5000"));
        assert!(!cfg.blocks_write(&post, Some("http://10.0.0.5:5000"), "10.0.0.5:5000"));
        let open_hosts = SecurityConfig::from_flags(Some("*"), None, None);
        assert!(open_hosts.blocks_write(&post, Some("http://evil.example"), "evil.example"));
        let cfg = SecurityConfig::from_flags(None, Some("https://*.example.com"), None);
        assert!(!cfg.blocks_write(&post, Some("https://app.example.com"), "x"));
        assert!(cfg.blocks_write(&post, Some("https://example.org"), "x"));
    }

    #[test]
    fn default_cors_origins_are_plain_http_localhost() {
        for ok in [
            "http://localhost",
            "http://localhost:3000",
            "http://127.0.0.1:5000",
            "http://[::1]:8080",
        ] {
            assert!(is_default_cors_origin(ok), "{ok}");
        }
        for bad in [
            "https://localhost",
            "http://localhost.evil",
            "http://localhost:",
            "http://127.0.0.1:50x",
            "http://evil",
        ] {
            assert!(!is_default_cors_origin(bad), "{bad}");
        }
    }

    #[test]
    fn x_frame_options_none_disables_the_header() {
        assert_eq!(
            SecurityConfig::from_flags(None, None, Some("none")).x_frame_options,
            None
        );
        assert_eq!(
            SecurityConfig::from_flags(None, None, Some("deny")).x_frame_options,
            Some("DENY".into())
        );
    }
}

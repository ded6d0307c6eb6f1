//! Just enough HTTP/1.1 for a loopback app server: read one request head
//! (bounded in size and time), serve a file from the renderer directory, or
//! hand the connection to the WebSocket upgrade.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most a request head may take; a browser's is a few hundred bytes.
const MAX_HEAD_BYTES: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;

/// A parsed request head.
#[derive(Debug)]
pub(crate) struct RequestHead {
    pub(crate) method: String,
    pub(crate) path: String,
    headers: Vec<(String, String)>,
}

impl RequestHead {
    /// The value of a header (case-insensitive name); repeated headers are
    /// joined with `, ` as HTTP allows.
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// How many times a header appears.
    pub(crate) fn header_count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .count()
    }

    /// Whether a comma-separated header contains `token` (case-insensitive).
    pub(crate) fn header_has_token(&self, name: &str, token: &str) -> bool {
        self.header(name).is_some_and(|value| {
            value
                .split(',')
                .any(|part| part.trim().eq_ignore_ascii_case(token))
        })
    }
}

/// Why a request head could not be read.
#[derive(Debug)]
pub(crate) enum HeadError {
    TooLarge,
    Malformed,
    TimedOut,
    /// The peer closed the connection or the read failed.
    Closed,
}

/// Reads one request head. Bytes after the head are not allowed: browsers
/// wait for the response before sending a body or WebSocket frames.
pub(crate) async fn read_head(
    stream: &mut TcpStream,
    timeout: Duration,
) -> Result<RequestHead, HeadError> {
    let read = async {
        let mut buffer = Vec::with_capacity(1024);
        let mut chunk = [0u8; 2048];
        loop {
            let count = stream
                .read(&mut chunk)
                .await
                .map_err(|_| HeadError::Closed)?;
            if count == 0 {
                return Err(HeadError::Closed);
            }
            buffer.extend_from_slice(&chunk[..count]);
            if buffer.len() > MAX_HEAD_BYTES {
                return Err(HeadError::TooLarge);
            }
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut request = httparse::Request::new(&mut headers);
            match request.parse(&buffer) {
                Ok(httparse::Status::Complete(length)) => {
                    if length != buffer.len() {
                        return Err(HeadError::Malformed);
                    }
                    return Ok(RequestHead {
                        method: request.method.unwrap_or_default().to_owned(),
                        path: request.path.unwrap_or_default().to_owned(),
                        headers: request
                            .headers
                            .iter()
                            .map(|h| {
                                (
                                    h.name.to_owned(),
                                    String::from_utf8_lossy(h.value).into_owned(),
                                )
                            })
                            .collect(),
                    });
                }
                Ok(httparse::Status::Partial) => {}
                Err(_) => return Err(HeadError::Malformed),
            }
        }
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or(Err(HeadError::TimedOut))
}

/// Headers every response carries: no caching, no sniffing, no referrer,
/// and resources only for this origin.
const COMMON_HEADERS: &str = "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCross-Origin-Resource-Policy: same-origin\r\nConnection: close\r\n";

/// Writes a complete response and closes the connection.
pub(crate) async fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    extra_headers: &str,
    body: &[u8],
    include_body: bool,
) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{COMMON_HEADERS}{extra_headers}\r\n",
        body.len()
    );
    let mut response = head.into_bytes();
    if include_body {
        response.extend_from_slice(body);
    }
    // The peer may already be gone; there is nobody to report that to.
    let _ = stream.write_all(&response).await;
    let _ = stream.shutdown().await;
}

/// A short plain-text error response.
pub(crate) async fn respond_error(stream: &mut TcpStream, status: &str, message: &str) {
    respond(
        stream,
        status,
        "text/plain; charset=utf-8",
        "",
        message.as_bytes(),
        true,
    )
    .await;
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = std::str::from_utf8(bytes.get(index + 1..index + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Maps a request path to a file under `root`, refusing anything that could
/// leave it: `..`, absolute components, backslashes, NUL bytes, hidden
/// files. `/` and directories serve their `index.html`.
pub(crate) fn resolve_static(root: &Path, request_path: &str) -> Option<PathBuf> {
    let path = request_path.split(['?', '#']).next().unwrap_or_default();
    let decoded = percent_decode(path)?;
    if !decoded.starts_with('/') || decoded.contains(['\\', '\0']) {
        return None;
    }
    let mut resolved = root.to_path_buf();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) if !part.to_string_lossy().starts_with('.') => {
                resolved.push(part)
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    if decoded.ends_with('/') || resolved.is_dir() {
        resolved.push("index.html");
    }
    Some(resolved)
}

/// Serves `GET`/`HEAD` of a renderer file.
pub(crate) async fn serve_static(
    stream: &mut TcpStream,
    root: Option<&Path>,
    head: &RequestHead,
    csp: &str,
) {
    let include_body = match head.method.as_str() {
        "GET" => true,
        "HEAD" => false,
        _ => {
            respond(
                stream,
                "405 Method Not Allowed",
                "text/plain; charset=utf-8",
                "Allow: GET, HEAD\r\n",
                b"method not allowed",
                true,
            )
            .await;
            return;
        }
    };
    let Some(path) = root.and_then(|root| resolve_static(root, &head.path)) else {
        respond_error(stream, "404 Not Found", "not found").await;
        return;
    };
    match tokio::fs::read(&path).await {
        Ok(body) => {
            let headers = format!("Content-Security-Policy: {csp}\r\n");
            respond(
                stream,
                "200 OK",
                content_type(&path),
                &headers,
                &body,
                include_body,
            )
            .await;
        }
        Err(_) => respond_error(stream, "404 Not Found", "not found").await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_paths_cannot_escape_the_root() {
        let root = Path::new("/srv/app");
        assert_eq!(
            resolve_static(root, "/app.js"),
            Some(PathBuf::from("/srv/app/app.js"))
        );
        assert_eq!(
            resolve_static(root, "/css/site.css?v=2"),
            Some(PathBuf::from("/srv/app/css/site.css"))
        );
        assert_eq!(
            resolve_static(root, "/"),
            Some(PathBuf::from("/srv/app/index.html"))
        );
        assert_eq!(
            resolve_static(root, "/a%20b.txt"),
            Some(PathBuf::from("/srv/app/a b.txt"))
        );
        for hostile in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/css/../../etc/passwd",
            "/..%5c..%5cwindows",
            "/.env",
            "/a%00.js",
            "relative",
            "/%zz",
            "//etc/passwd/..",
        ] {
            assert_eq!(resolve_static(root, hostile), None, "{hostile}");
        }
    }
}

//! Just enough HTTP/1.1 for a loopback app server: read one request head
//! (bounded in size and time) and write a complete response.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::http;

/// The most a request head may take; a browser's is a few hundred bytes.
const MAX_HEAD_BYTES: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;

/// A parsed request head.
#[derive(Debug)]
pub(crate) struct RequestHead {
    pub(crate) method: String,
    pub(crate) path: String,
    /// The minor version: `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub(crate) minor_version: u8,
    headers: Vec<(String, Vec<u8>)>,
}

impl RequestHead {
    /// The value of a header (case-insensitive name); repeated headers are
    /// joined with `, ` as HTTP allows.
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        let values: Vec<String> = self
            .headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
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

    /// The head as an `http::Request`, for the WebSocket handshake checks;
    /// `None` when a name, value or the path is not valid HTTP.
    pub(crate) fn to_request(&self) -> Option<http::Request<()>> {
        let version = match self.minor_version {
            1 => http::Version::HTTP_11,
            _ => http::Version::HTTP_10,
        };
        let mut builder = http::Request::builder()
            .method(self.method.as_str())
            .uri(self.path.as_str())
            .version(version);
        for (name, value) in &self.headers {
            builder = builder.header(
                http::HeaderName::from_bytes(name.as_bytes()).ok()?,
                http::HeaderValue::from_bytes(value).ok()?,
            );
        }
        builder.body(()).ok()
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

/// Reads one request head, by `deadline`. Bytes after the head are not
/// allowed: browsers wait for the response before sending a body or
/// WebSocket frames.
pub(crate) async fn read_head(
    stream: &mut TcpStream,
    deadline: Instant,
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
                        minor_version: request.version.unwrap_or_default(),
                        headers: request
                            .headers
                            .iter()
                            .map(|h| (h.name.to_owned(), h.value.to_vec()))
                            .collect(),
                    });
                }
                Ok(httparse::Status::Partial) => {}
                Err(_) => return Err(HeadError::Malformed),
            }
        }
    };
    tokio::time::timeout_at(deadline, read)
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

//! The renderer's files: request paths decoded strictly, mapped under the
//! renderer directory without following a link, served with their media
//! type.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

use percent_encoding::percent_decode_str;
use tokio::net::TcpStream;

use super::http::{RequestHead, respond, respond_error};

/// Why a request path names no file.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Not a valid path: a bad escape (`%+2`, `%2`), or bytes that are not
    /// UTF-8 once decoded. Answered with 400.
    BadRequest,
    /// A path that could leave the root, a hidden file, or nothing there.
    /// Answered with 404, whatever the reason, so nothing is told about
    /// what lies outside the root.
    NotFound,
}

/// Decodes the path of a request target: every `%` must start an escape of
/// two hex digits (the `percent-encoding` crate leaves a bad one as it is,
/// which would let `%2` and `%+2` through), and the result must be UTF-8.
fn decode_path(target: &str) -> Result<String, Refused> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let bytes = path.as_bytes();
    for (index, _) in path.match_indices('%') {
        let escape = bytes.get(index + 1..index + 3).ok_or(Refused::BadRequest)?;
        if !escape.iter().all(u8::is_ascii_hexdigit) {
            return Err(Refused::BadRequest);
        }
    }
    percent_decode_str(path)
        .decode_utf8()
        .map(Cow::into_owned)
        .map_err(|_| Refused::BadRequest)
}

/// Maps a request target to a path under `root`, lexically: refuses
/// anything that could leave it (`..`, absolute components, backslashes,
/// NUL bytes) and hidden files. Whether it exists, and is reached without a
/// link, is [`locate`]'s question.
pub(crate) fn resolve(root: &Path, target: &str) -> Result<PathBuf, Refused> {
    let decoded = decode_path(target)?;
    if !decoded.starts_with('/') || decoded.contains(['\\', '\0']) {
        return Err(Refused::NotFound);
    }
    let mut resolved = root.to_path_buf();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) if !part.to_string_lossy().starts_with('.') => {
                resolved.push(part)
            }
            Component::CurDir => {}
            _ => return Err(Refused::NotFound),
        }
    }
    if decoded.ends_with('/') {
        resolved.push("index.html");
    }
    Ok(resolved)
}

/// The regular file at `path` (a directory serves its `index.html`), when
/// its canonical path is `path` itself: `root` is canonical and `path` has
/// only plain components, so any link on the way (to a file or a directory,
/// inside the root or not) makes them differ and is refused.
async fn locate(path: PathBuf) -> Option<PathBuf> {
    let mut canonical = tokio::fs::canonicalize(&path).await.ok()?;
    if canonical != path {
        return None;
    }
    let mut metadata = tokio::fs::metadata(&canonical).await.ok()?;
    if metadata.is_dir() {
        let index = canonical.join("index.html");
        canonical = tokio::fs::canonicalize(&index).await.ok()?;
        if canonical != index {
            return None;
        }
        metadata = tokio::fs::metadata(&canonical).await.ok()?;
    }
    // Not a FIFO, a socket or a device: reading those could hang or leak.
    metadata.is_file().then_some(canonical)
}

/// The `Content-Type` of a served file. Under `nosniff` the browser trusts
/// it, so a wrong one breaks the page (a `.wasm` module must be
/// `application/wasm`, a module script a JavaScript type): the table is
/// `mime_guess`'s, with JavaScript (RFC 9239), WOFF and source maps fixed, and
/// text in UTF-8.
pub(crate) fn content_type(path: &Path) -> Cow<'static, str> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let media_type = match extension.as_deref() {
        Some("js" | "mjs" | "cjs") => "text/javascript",
        Some("map") => "application/json",
        // RFC 8081's font types; mime_guess has obsolete ones for these.
        Some("woff") => "font/woff",
        Some("otf") => "font/otf",
        Some(extension) => mime_guess::from_ext(extension)
            .first_raw()
            .unwrap_or("application/octet-stream"),
        None => "application/octet-stream",
    };
    if media_type.starts_with("text/") {
        Cow::Owned(format!("{media_type}; charset=utf-8"))
    } else {
        Cow::Borrowed(media_type)
    }
}

/// Serves `GET`/`HEAD` of a renderer file from `root` (canonical).
pub(crate) async fn serve(
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
    let path = match root.map(|root| resolve(root, &head.path)) {
        Some(Ok(path)) => locate(path).await,
        Some(Err(Refused::BadRequest)) => {
            respond_error(stream, "400 Bad Request", "malformed path").await;
            return;
        }
        Some(Err(Refused::NotFound)) | None => None,
    };
    let Some(path) = path else {
        respond_error(stream, "404 Not Found", "not found").await;
        return;
    };
    match tokio::fs::read(&path).await {
        Ok(body) => {
            let headers = format!("Content-Security-Policy: {csp}\r\n");
            respond(
                stream,
                "200 OK",
                &content_type(&path),
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
            resolve(root, "/app.js"),
            Ok(PathBuf::from("/srv/app/app.js"))
        );
        assert_eq!(
            resolve(root, "/css/site.css?v=2"),
            Ok(PathBuf::from("/srv/app/css/site.css"))
        );
        assert_eq!(resolve(root, "/"), Ok(PathBuf::from("/srv/app/index.html")));
        assert_eq!(
            resolve(root, "/a%20b.txt"),
            Ok(PathBuf::from("/srv/app/a b.txt"))
        );
        assert_eq!(
            resolve(root, "/%C3%A9t%c3%a9.txt"),
            Ok(PathBuf::from("/srv/app/été.txt"))
        );
        for hostile in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/css/../../etc/passwd",
            "/..%5c..%5cwindows",
            "/.env",
            "/a%00.js",
            "relative",
            "//etc/passwd/..",
        ] {
            assert_eq!(resolve(root, hostile), Err(Refused::NotFound), "{hostile}");
        }
        for malformed in ["/%zz", "/%+2", "/%2", "/a%", "/%-1", "/%c3%28", "/%ff"] {
            assert_eq!(
                resolve(root, malformed),
                Err(Refused::BadRequest),
                "{malformed}"
            );
        }
    }

    #[test]
    fn media_types_cover_what_a_renderer_ships() {
        for (file, expected) in [
            ("index.html", "text/html; charset=utf-8"),
            ("app.js", "text/javascript; charset=utf-8"),
            ("app.mjs", "text/javascript; charset=utf-8"),
            ("APP.JS", "text/javascript; charset=utf-8"),
            ("site.css", "text/css; charset=utf-8"),
            ("app.js.map", "application/json"),
            ("data.json", "application/json"),
            ("module.wasm", "application/wasm"),
            ("logo.svg", "image/svg+xml"),
            ("logo.png", "image/png"),
            ("photo.jpg", "image/jpeg"),
            ("photo.jpeg", "image/jpeg"),
            ("photo.webp", "image/webp"),
            ("anim.gif", "image/gif"),
            ("favicon.ico", "image/x-icon"),
            ("font.woff2", "font/woff2"),
            ("font.woff", "font/woff"),
            ("font.ttf", "font/ttf"),
            ("font.otf", "font/otf"),
            ("notes.txt", "text/plain; charset=utf-8"),
            ("README", "application/octet-stream"),
            ("blob.unknown-extension", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(file)), expected, "{file}");
        }
    }
}

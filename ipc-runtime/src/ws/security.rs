//! The checks a connection must pass before anything is dispatched: the
//! per-launch secret, the `Host` header and the `Origin` header.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use subtle::ConstantTimeEq;

/// The per-launch secret: 256 bits from the operating system's secure random
/// source. It is handed to the renderer once, in the URL fragment of the page
/// main navigates to (a fragment is never sent over HTTP), and never appears
/// in a command line, the environment or a log.
#[derive(Clone)]
pub struct LaunchSecret {
    bytes: [u8; 32],
}

impl LaunchSecret {
    /// A fresh secret, or the OS's error when it has no secure randomness.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(LaunchSecret { bytes })
    }

    /// The secret as the renderer sends it: 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        self.bytes
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// Compares `candidate` (hex) in constant time: every byte is compared,
    /// whatever matches, so timing reveals nothing about the secret.
    pub fn matches_hex(&self, candidate: &str) -> bool {
        let Some(decoded) = decode_hex_32(candidate) else {
            return false;
        };
        self.bytes.ct_eq(&decoded).into()
    }
}

impl fmt::Debug for LaunchSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LaunchSecret(<redacted>)")
    }
}

fn decode_hex_32(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (index, pair) in digits.chunks_exact(2).enumerate() {
        let high = (pair[0] as char).to_digit(16)?;
        let low = (pair[1] as char).to_digit(16)?;
        out[index] = u8::try_from(high * 16 + low).ok()?;
    }
    Some(out)
}

/// A parsed web origin: scheme, host and port, compared as a whole. Never
/// compared as strings, so `http://127.0.0.1:80801` or
/// `http://127.0.0.1:8080.evil.example` can never pass for
/// `http://127.0.0.1:8080`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// Parses `scheme://host[:port]` (no path, query, fragment or user info;
    /// `null` and anything else malformed is `None`).
    pub fn parse(text: &str) -> Option<Origin> {
        let (scheme, rest) = text.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            return None;
        }
        if rest.is_empty() || rest.contains(['/', '?', '#', '@', '\\']) {
            return None;
        }
        let (host, port) = split_host_port(rest)?;
        let port = match port {
            Some(port) => port,
            None => match scheme.as_str() {
                "http" | "ws" => 80,
                "https" | "wss" => 443,
                _ => 0,
            },
        };
        Some(Origin {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// `http://127.0.0.1:8080`, the form browsers send.
    pub fn to_header_value(&self) -> String {
        let default_port = matches!(
            (self.scheme.as_str(), self.port),
            ("http" | "ws", 80) | ("https" | "wss", 443)
        );
        if default_port || self.port == 0 {
            format!("{}://{}", self.scheme, self.host)
        } else {
            format!("{}://{}:{}", self.scheme, self.host, self.port)
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_header_value())
    }
}

/// Splits `host[:port]`, with IPv6 hosts in brackets. A port must be a
/// decimal number that fits in 16 bits.
fn split_host_port(text: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let host = &text[..inside.len() + 2];
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b))
    {
        return None;
    }
    let port = match port {
        Some(digits)
            if !digits.is_empty()
                && digits.len() <= 5
                && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(digits.parse::<u16>().ok()?)
        }
        Some(_) => return None,
        None => None,
    };
    Some((host, port))
}

/// The names by which the server may be addressed: its own address, and
/// `localhost` when it listens on a loopback address. A `Host` header naming
/// anything else (DNS rebinding: `evil.example` resolving to 127.0.0.1) is
/// refused.
#[derive(Debug, Clone)]
pub(crate) struct Authority {
    addr: SocketAddr,
}

impl Authority {
    pub(crate) fn new(addr: SocketAddr) -> Self {
        Authority { addr }
    }

    fn hosts(&self) -> Vec<String> {
        let mut hosts = vec![match self.addr.ip() {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        }];
        if self.addr.ip().is_loopback() {
            hosts.push("localhost".to_owned());
        }
        hosts
    }

    /// Whether a `Host` header names this server (port included).
    pub(crate) fn accepts_host(&self, header: &str) -> bool {
        let Some((host, port)) = split_host_port(header.trim()) else {
            return false;
        };
        let port = port.unwrap_or(80);
        port == self.addr.port()
            && self
                .hosts()
                .iter()
                .any(|name| name.eq_ignore_ascii_case(host))
    }

    /// The origins of the app's own pages: `http://<host>:<port>` for each
    /// name the server answers to.
    pub(crate) fn own_origins(&self) -> Vec<Origin> {
        self.hosts()
            .into_iter()
            .map(|host| Origin {
                scheme: "http".to_owned(),
                host,
                port: self.addr.port(),
            })
            .collect()
    }

    /// The page URL that hands the secret to the renderer.
    pub(crate) fn app_url(&self, secret: &LaunchSecret) -> String {
        let host = &self.hosts()[0];
        format!(
            "http://{host}:{}/#{}={}",
            self.addr.port(),
            ipc_meta::protocol::ws::SECRET_FRAGMENT_KEY,
            secret.to_hex()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_compared_exactly() {
        let secret = LaunchSecret::generate().expect("secure randomness");
        let other = LaunchSecret::generate().expect("secure randomness");
        assert_ne!(secret.to_hex(), other.to_hex());
        assert_eq!(secret.to_hex().len(), 64);
        assert!(secret.matches_hex(&secret.to_hex()));
        assert!(secret.matches_hex(&secret.to_hex().to_uppercase()));
        assert!(!secret.matches_hex(&other.to_hex()));
        assert!(!secret.matches_hex(&secret.to_hex()[..63]));
        assert!(!secret.matches_hex(""));
        assert!(!secret.matches_hex(&format!("{}0", secret.to_hex())));
        assert_eq!(format!("{secret:?}"), "LaunchSecret(<redacted>)");
    }

    #[test]
    fn origins_are_compared_as_parsed_values() {
        let own = Origin::parse("http://127.0.0.1:8080").expect("valid");
        assert_eq!(Origin::parse("HTTP://127.0.0.1:8080"), Some(own.clone()));
        assert_ne!(Origin::parse("http://127.0.0.1:8081"), Some(own.clone()));
        assert_ne!(Origin::parse("https://127.0.0.1:8080"), Some(own.clone()));
        assert_eq!(Origin::parse("http://127.0.0.1:80801"), None);
        assert_eq!(Origin::parse("http://127.0.0.1:8080.evil.example"), None);
        assert_eq!(Origin::parse("http://127.0.0.1:8080/path"), None);
        assert_eq!(Origin::parse("http://user@127.0.0.1:8080"), None);
        assert_eq!(Origin::parse("null"), None);
        assert_eq!(Origin::parse("http://"), None);
        assert_eq!(
            Origin::parse("http://example.com"),
            Origin::parse("http://example.com:80")
        );
        assert_eq!(
            Origin::parse("http://[::1]:9000")
                .map(|o| o.to_string())
                .as_deref(),
            Some("http://[::1]:9000")
        );
    }

    #[test]
    fn host_header_must_name_this_server() {
        let authority = Authority::new("127.0.0.1:4000".parse().expect("addr"));
        assert!(authority.accepts_host("127.0.0.1:4000"));
        assert!(authority.accepts_host("localhost:4000"));
        assert!(authority.accepts_host("LOCALHOST:4000"));
        assert!(!authority.accepts_host("127.0.0.1:4001"));
        assert!(!authority.accepts_host("127.0.0.1"));
        assert!(!authority.accepts_host("evil.example:4000"));
        assert!(!authority.accepts_host("127.0.0.1:4000.evil"));
        assert!(!authority.accepts_host(""));
        let v6 = Authority::new("[::1]:4000".parse().expect("addr"));
        assert!(v6.accepts_host("[::1]:4000"));
        assert!(v6.accepts_host("localhost:4000"));
        assert_eq!(
            authority.own_origins()[1].to_string(),
            "http://localhost:4000"
        );
    }
}

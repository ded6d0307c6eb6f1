//! notes-app logs to stderr under `RUST_LOG`: a refused handshake is logged
//! with its reason, and neither the launch secret nor what the client
//! offered appears in the log.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Ends the app however the test ends.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends the lines of `reader` to a channel, from a thread of its own.
fn lines_of(reader: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn handshake(port: u16, origin: &str, secret: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let request = format!(
        "GET /ipc HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: {origin}\r\nSec-WebSocket-Protocol: ipc-contracts.v1, ipc-secret.{secret}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("write");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

#[test]
fn a_refused_handshake_is_logged_without_the_secret() {
    let dir = std::env::temp_dir().join(format!("notes-app-logging-{}", std::process::id()));
    let renderer = dir.join("renderer");
    std::fs::create_dir_all(&renderer).expect("mkdir");
    std::fs::write(renderer.join("index.html"), "<!doctype html>").expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_notes-app"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--renderer")
        .arg(&renderer)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("notes-app starts");
    let stdout = lines_of(child.stdout.take().expect("stdout"));
    let stderr = lines_of(child.stderr.take().expect("stderr"));
    let _app = App(child);
    let url = loop {
        let line = stdout
            .recv_timeout(Duration::from_secs(30))
            .expect("notes-app prints its URL");
        if let Some(url) = line.strip_prefix("notes: open ") {
            break url.to_owned();
        }
    };
    let (address, secret) = url
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once("/#ipc-secret="))
        .expect("http://host:port/#ipc-secret=hex");
    let port: u16 = address
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse().ok())
        .expect("port");
    let own_origin = format!("http://{address}");
    // The right secret from a foreign origin, then a wrong secret from
    // the app's own origin: both refused, both logged.
    let wrong_secret: String = secret
        .chars()
        .map(|c| if c == 'a' { 'b' } else { 'a' })
        .collect();
    let refused = handshake(port, "https://evil.example", secret);
    assert!(refused.starts_with("HTTP/1.1 403 "), "{refused}");
    let refused = handshake(port, &own_origin, &wrong_secret);
    assert!(refused.starts_with("HTTP/1.1 403 "), "{refused}");

    let mut refusals = Vec::new();
    while refusals.len() < 2 {
        let line = stderr
            .recv_timeout(Duration::from_secs(10))
            .expect("both refusals are logged");
        assert!(!line.contains(secret), "the secret is logged: {line}");
        assert!(
            !line.contains(&wrong_secret),
            "the offered secret is logged: {line}"
        );
        if line.contains("refused an IPC connection") {
            refusals.push(line);
        }
    }
    assert!(refusals[0].contains("WARN"), "{}", refusals[0]);
    assert!(
        refusals[0].contains("origin not allowed"),
        "{}",
        refusals[0]
    );
    assert!(
        refusals[1].contains("missing or wrong secret"),
        "{}",
        refusals[1]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

//! What a call over the loopback WebSocket transport costs without a
//! browser: a Rust client on its own thread and runtime (as another process
//! would be) calls a `WsServer` running on a multi-threaded runtime, as an
//! app's main side does.
//!
//! Sequential round trips (p50/p90/p99) and pipelined calls per second, for
//! an invoke whose handler completes at once and one whose handler yields to
//! the runtime once (so it continues in a task of its own and its reply goes
//! through the connection's queue). The browser figures are measured by `npm run bench:browser`.
//!
//! Run with `cargo bench -p ipc-contracts-runtime --features ws --bench ws_round_trip`;
//! add `-- --calls N`. Figures are in docs/performance.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use ipc_runtime::ws::{WsConfig, WsServer};
use ipc_runtime::{CallContext, IpcHandlerError, Router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

#[path = "support/args.rs"]
mod args;

/// Looks a small record up, as `notes.get` does.
#[ipc_runtime::contract(invoke, namespace = "bench", method = "lookup", response = Record)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Lookup {
    id: u32,
}

/// The same, after yielding to the runtime once: a call still pending at
/// its first poll.
#[ipc_runtime::contract(invoke, namespace = "bench", method = "lookupLater", response = Record)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct LookupLater {
    id: u32,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Record {
    id: u32,
    title: String,
    body: String,
}

fn record(id: u32) -> Record {
    Record {
        id,
        title: "A small note".to_owned(),
        body: "Its body: a sentence or two of text.".to_owned(),
    }
}

type Socket = WebSocketStream<TcpStream>;

async fn connect(addr: std::net::SocketAddr, origin: &str, secret: &str) -> Socket {
    let mut request = format!("ws://{addr}/ipc")
        .into_client_request()
        .expect("request");
    let headers = request.headers_mut();
    headers.insert("Origin", HeaderValue::from_str(origin).expect("origin"));
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(&format!("ipc-contracts.v1, ipc-secret.{secret}"))
            .expect("protocols"),
    );
    let stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (socket, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .expect("handshake");
    socket
}

fn request(id: u64, channel: &str) -> Message {
    Message::text(format!(
        r#"{{"v":1,"id":{id},"kind":"invoke","channel":"{channel}","payload":{{"id":7}}}}"#
    ))
}

async fn reply(socket: &mut Socket) {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                assert!(text.contains(r#""ok":true"#), "{text}");
                return;
            }
            Some(Ok(_)) => {}
            other => panic!("connection ended: {other:?}"),
        }
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * fraction).round() as usize]
}

fn micros(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

async fn sequential(socket: &mut Socket, channel: &str, calls: usize) -> String {
    for id in 0..500 {
        socket.send(request(id, channel)).await.expect("send");
        reply(socket).await;
    }
    let mut samples = Vec::with_capacity(calls);
    for id in 0..calls {
        let start = Instant::now();
        socket
            .send(request(id as u64, channel))
            .await
            .expect("send");
        reply(socket).await;
        samples.push(start.elapsed());
    }
    samples.sort_unstable();
    format!(
        "p50 {}, p90 {}, p99 {}",
        micros(percentile(&samples, 0.5)),
        micros(percentile(&samples, 0.9)),
        micros(percentile(&samples, 0.99)),
    )
}

async fn pipelined(socket: &mut Socket, channel: &str, calls: usize, in_flight: usize) -> String {
    let start = Instant::now();
    let mut sent = 0;
    let mut received = 0;
    while sent < in_flight.min(calls) {
        socket
            .feed(request(sent as u64, channel))
            .await
            .expect("send");
        sent += 1;
    }
    socket.flush().await.expect("flush");
    while received < calls {
        reply(socket).await;
        received += 1;
        if sent < calls {
            socket
                .send(request(sent as u64, channel))
                .await
                .expect("send");
            sent += 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    format!("{:.0} calls/s", calls as f64 / seconds)
}

fn main() {
    let calls = args::count_option("calls", 5000);

    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("server runtime");
    let router = Router::builder()
        .invoke::<Lookup, _>(|_: CallContext, lookup: Lookup| {
            std::future::ready(Ok::<_, IpcHandlerError>(record(lookup.id)))
        })
        .invoke::<LookupLater, _>(|_: CallContext, lookup: LookupLater| async move {
            tokio::task::yield_now().await;
            Ok::<_, IpcHandlerError>(record(lookup.id))
        })
        .build()
        .expect("router");
    let server = server_runtime
        .block_on(WsServer::start(Arc::new(router), WsConfig::default()))
        .expect("server starts");
    let addr = server.local_addr();
    let origin = server.origin();
    let secret = server
        .app_url()
        .split("#ipc-secret=")
        .nth(1)
        .expect("secret")
        .to_owned();

    let client = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        runtime.block_on(async {
            let mut socket = connect(addr, &origin, &secret).await;
            println!("loopback WebSocket, Rust client on its own thread, {calls} calls each:");
            for (label, channel) in [
                ("handler completes at once", "bench:lookup"),
                ("handler yields once", "bench:lookupLater"),
            ] {
                let latency = sequential(&mut socket, channel, calls).await;
                let throughput = pipelined(&mut socket, channel, calls * 4, 64).await;
                println!("  {label}: sequential {latency}; pipelined (64 in flight) {throughput}");
            }
        });
    });
    client.join().expect("client thread");
    server_runtime.block_on(server.shutdown());
}

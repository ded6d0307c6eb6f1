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
//! Then the server's own cost: an echo contract (a string in, the same
//! string out, validated on the way in) against a bare tokio-tungstenite
//! echo server started on the same runtime, the two measured in turns
//! (A B, then B A) so that a change of load moves both: pipelined calls per
//! second with 64 in flight at 1 KB, sequential p50 and p99 at 1 KB and
//! 64 KB, and the CPU time the server's threads spent per call. Each round
//! gives one ratio; the medians of the ratios are printed.
//!
//! Run with `cargo bench -p ipc-contracts-runtime --features ws --bench ws_round_trip`;
//! add `-- --calls N` (5,000) for the lookups, `--rounds N` (20) for the
//! comparison, `--only-echo` to skip the lookups. For a profiler,
//! `--profile pipelined` or `--profile large` makes only IPC calls of that
//! kind, `--rounds` times as many as a round does (`--profile-echo` makes
//! them to the bare echo server instead). Figures are in
//! docs/performance.md.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use ipc_runtime::ws::{WsConfig, WsServer};
use ipc_runtime::{CallContext, IpcHandlerError, Router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

#[path = "support/args.rs"]
mod args;

#[path = "../tests/common/mod.rs"]
mod common;

use common::Socket;

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

/// Returns its text: the server's cost for a payload of a given size.
#[ipc_runtime::contract(invoke, namespace = "bench", method = "echo", response = Text)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Echo {
    text: String,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Text {
    text: String,
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

/// The renderer's handshake, over a stream that sends each frame at once.
async fn connect(addr: SocketAddr, origin: &str, protocols: &str) -> Socket {
    let stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    common::handshake(stream, origin, protocols)
        .await
        .expect("handshake")
}

/// A connection to the bare echo server, which speaks no subprotocol.
async fn connect_bare(addr: SocketAddr) -> Socket {
    let stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (socket, _) = tokio_tungstenite::client_async(format!("ws://{addr}/"), stream)
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

/// The next text frame, which must be `expected_len` bytes long and, from
/// the IPC server, a success.
async fn echo_reply(socket: &mut Socket, expected_len: usize) {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                assert!(
                    text.len() == expected_len && !text.contains(r#""ok":false"#),
                    "unexpected reply of {} bytes: {}",
                    text.len(),
                    text.chars().take(200).collect::<String>()
                );
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

/// Note-like text of `len` bytes: prose with a line break every line and
/// an accented letter now and then, as a note's body has.
fn text_of(len: usize) -> String {
    const LINE: &str =
        "Le caf\u{e9} opens at nine; the meeting moved to the small room upstairs.\n";
    let mut text = String::with_capacity(len + LINE.len());
    while text.len() < len {
        text.push_str(LINE);
    }
    let mut end = len;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

/// One echo call's request frame.
fn echo_request(id: u64, text_json: &str) -> String {
    format!(
        r#"{{"v":1,"id":{id},"kind":"invoke","channel":"bench:echo","payload":{{"text":{text_json}}}}}"#
    )
}

/// The reply's length: `{"id":N,"ok":true,"data":{"text":..}}`.
fn echo_reply_len(id: u64, text_json: &str) -> usize {
    format!(r#"{{"id":{id},"ok":true,"data":{{"text":{text_json}}}}}"#).len()
}

/// Where a call goes: the IPC server, or the bare echo (which returns the
/// request frame itself).
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Ipc,
    Echo,
}

impl Side {
    fn expected_len(self, id: u64, text_json: &str) -> usize {
        match self {
            Side::Ipc => echo_reply_len(id, text_json),
            Side::Echo => echo_request(id, text_json).len(),
        }
    }
}

/// The CPU time the server runtime's threads have used so far, in
/// nanoseconds (Linux `schedstat`; `None` elsewhere).
fn server_cpu_ns() -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path();
        let comm = std::fs::read_to_string(path.join("comm")).ok()?;
        if comm.trim() != SERVER_THREAD {
            continue;
        }
        let schedstat = std::fs::read_to_string(path.join("schedstat")).ok()?;
        total += schedstat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

const SERVER_THREAD: &str = "bench-server";

/// Pipelined echo calls: calls per second and server CPU per call.
async fn echo_pipelined(
    socket: &mut Socket,
    side: Side,
    text_json: &str,
    calls: usize,
    in_flight: usize,
) -> (f64, Option<f64>) {
    let cpu_before = server_cpu_ns();
    let start = Instant::now();
    let mut sent = 0;
    let mut received = 0;
    while sent < in_flight.min(calls) {
        socket
            .feed(Message::text(echo_request(sent as u64, text_json)))
            .await
            .expect("send");
        sent += 1;
    }
    socket.flush().await.expect("flush");
    while received < calls {
        echo_reply(socket, side.expected_len(received as u64, text_json)).await;
        received += 1;
        if sent < calls {
            socket
                .send(Message::text(echo_request(sent as u64, text_json)))
                .await
                .expect("send");
            sent += 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let cpu = server_cpu_ns()
        .zip(cpu_before)
        .map(|(after, before)| (after - before) as f64 / calls as f64);
    (calls as f64 / seconds, cpu)
}

/// Sequential echo calls: every round trip's time, and the server's CPU
/// time per call.
async fn echo_sequential(
    socket: &mut Socket,
    side: Side,
    text_json: &str,
    calls: usize,
) -> (Vec<Duration>, Option<f64>) {
    let cpu_before = server_cpu_ns();
    let mut samples = Vec::with_capacity(calls);
    for id in 0..calls as u64 {
        let request = Message::text(echo_request(id, text_json));
        let start = Instant::now();
        socket.send(request).await.expect("send");
        echo_reply(socket, side.expected_len(id, text_json)).await;
        samples.push(start.elapsed());
    }
    let cpu = server_cpu_ns()
        .zip(cpu_before)
        .map(|(after, before)| (after - before) as f64 / calls as f64);
    (samples, cpu)
}

/// A bare tokio-tungstenite echo server: every text frame goes back as it
/// came, with the same message limits as the IPC server.
async fn bare_echo_server(limit: usize) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                let config = WebSocketConfig::default()
                    .max_message_size(Some(limit))
                    .max_frame_size(Some(limit));
                let Ok(mut socket) =
                    tokio_tungstenite::accept_async_with_config(stream, Some(config)).await
                else {
                    return;
                };
                while let Some(Ok(message)) = socket.next().await {
                    if message.is_text() && socket.send(message).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn quartiles(values: &mut [f64]) -> String {
    values.sort_by(f64::total_cmp);
    let at = |fraction: f64| values[((values.len() - 1) as f64 * fraction).round() as usize];
    format!("{:.2} [{:.2}, {:.2}]", at(0.5), at(0.25), at(0.75))
}

/// The median of the server's CPU time per call (nanoseconds), as printed
/// after a figure; nothing where it was not measured.
fn cpu_per_call(nanos: &mut [f64], decimals: usize) -> String {
    if nanos.is_empty() {
        return String::new();
    }
    format!(
        ", server CPU {:.decimals$} µs per call",
        median(nanos) / 1000.0
    )
}

/// The comparison with the bare echo server, `rounds` rounds.
async fn against_echo(ipc: &mut Socket, echo: &mut Socket, rounds: usize) {
    let small = serde_json::to_string(&text_of(1000)).expect("json");
    let large = serde_json::to_string(&text_of(64 * 1000)).expect("json");
    println!(
        "against a bare tokio-tungstenite echo server, {rounds} rounds (1 KB request: {} bytes, 64 KB: {} bytes):",
        echo_request(0, &small).len(),
        echo_request(0, &large).len()
    );
    // Warm-up: connections, allocator, caches.
    for (socket, side) in [(&mut *ipc, Side::Ipc), (&mut *echo, Side::Echo)] {
        echo_pipelined(socket, side, &small, 2000, 64).await;
        echo_sequential(socket, side, &large, 50).await;
    }
    let mut throughput = [Vec::new(), Vec::new()];
    let mut cpu = [Vec::new(), Vec::new()];
    let mut large_cpu = [Vec::new(), Vec::new()];
    let mut large_cpu_ratio = Vec::new();
    let mut small_samples = [Vec::new(), Vec::new()];
    let mut large_samples = [Vec::new(), Vec::new()];
    let (mut throughput_ratio, mut cpu_ratio) = (Vec::new(), Vec::new());
    let (mut small_p50_ratio, mut large_p50_ratio) = (Vec::new(), Vec::new());
    let p50 = |samples: &mut Vec<Duration>| {
        samples.sort_unstable();
        percentile(samples, 0.5).as_secs_f64()
    };
    for round in 0..rounds {
        let order = if round % 2 == 0 {
            [Side::Ipc, Side::Echo]
        } else {
            [Side::Echo, Side::Ipc]
        };
        let mut round_throughput = [0.0; 2];
        let mut round_cpu = [None; 2];
        let mut round_large_cpu = [None; 2];
        let mut round_small = [Vec::new(), Vec::new()];
        let mut round_large = [Vec::new(), Vec::new()];
        for side in order {
            let (index, socket) = match side {
                Side::Ipc => (0, &mut *ipc),
                Side::Echo => (1, &mut *echo),
            };
            let (per_second, per_call) = echo_pipelined(socket, side, &small, 4000, 64).await;
            round_throughput[index] = per_second;
            round_cpu[index] = per_call;
            round_small[index] = echo_sequential(socket, side, &small, 500).await.0;
            (round_large[index], round_large_cpu[index]) =
                echo_sequential(socket, side, &large, 100).await;
        }
        throughput_ratio.push(round_throughput[0] / round_throughput[1]);
        if let [Some(ours), Some(bare)] = round_cpu {
            cpu_ratio.push(ours / bare);
            cpu[0].push(ours);
            cpu[1].push(bare);
        }
        if let [Some(ours), Some(bare)] = round_large_cpu {
            large_cpu_ratio.push(ours / bare);
            large_cpu[0].push(ours);
            large_cpu[1].push(bare);
        }
        small_p50_ratio.push(p50(&mut round_small[0]) / p50(&mut round_small[1]));
        large_p50_ratio.push(p50(&mut round_large[0]) / p50(&mut round_large[1]));
        for index in 0..2 {
            throughput[index].push(round_throughput[index]);
            small_samples[index].append(&mut round_small[index]);
            large_samples[index].append(&mut round_large[index]);
        }
    }
    for (index, label) in [(0, "IPC server"), (1, "bare echo")] {
        small_samples[index].sort_unstable();
        large_samples[index].sort_unstable();
        let cpu_text = cpu_per_call(&mut cpu[index], 2);
        let large_cpu_text = cpu_per_call(&mut large_cpu[index], 1);
        println!(
            "  {label}: pipelined 1 KB (64 in flight) {:.0} calls/s{cpu_text}; sequential 1 KB p50 {}, p99 {}; 64 KB p50 {}, p99 {}{large_cpu_text}",
            median(&mut throughput[index]),
            micros(percentile(&small_samples[index], 0.5)),
            micros(percentile(&small_samples[index], 0.99)),
            micros(percentile(&large_samples[index], 0.5)),
            micros(percentile(&large_samples[index], 0.99)),
        );
    }
    println!(
        "  IPC / echo, median [quartiles] of {rounds} rounds: pipelined 1 KB calls/s {}; sequential p50 1 KB {}, 64 KB {}",
        quartiles(&mut throughput_ratio),
        quartiles(&mut small_p50_ratio),
        quartiles(&mut large_p50_ratio),
    );
    if !cpu_ratio.is_empty() {
        println!(
            "  server CPU per pipelined 1 KB call, IPC / echo: {}",
            quartiles(&mut cpu_ratio)
        );
    }
    if !large_cpu_ratio.is_empty() {
        println!(
            "  server CPU per sequential 64 KB call, IPC / echo: {}",
            quartiles(&mut large_cpu_ratio)
        );
    }
}

fn main() {
    let calls = args::count_option("calls", 5000);
    let rounds = args::count_option("rounds", 20);
    let arguments: Vec<String> = std::env::args().collect();
    let only_echo = arguments.iter().any(|argument| argument == "--only-echo");
    let profile_echo = arguments
        .iter()
        .any(|argument| argument == "--profile-echo");
    let profile = arguments
        .iter()
        .position(|argument| argument == "--profile")
        .map(|at| match arguments.get(at + 1).map(String::as_str) {
            Some(case @ ("large" | "pipelined")) => case.to_owned(),
            _ => panic!("--profile takes `large` or `pipelined`"),
        });

    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name(SERVER_THREAD)
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
        .invoke::<Echo, _>(|_: CallContext, echo: Echo| {
            std::future::ready(Ok::<_, IpcHandlerError>(Text { text: echo.text }))
        })
        .build()
        .expect("router");
    let config = WsConfig::default();
    let limit = config.max_message_bytes;
    let server = server_runtime
        .block_on(WsServer::start(Arc::new(router), config))
        .expect("server starts");
    let echo_addr = server_runtime.block_on(bare_echo_server(limit));
    let addr = server.local_addr();
    let origin = server.origin();
    let protocols = common::protocols(&server);

    let client = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        runtime.block_on(async {
            let mut socket = connect(addr, &origin, &protocols).await;
            if !only_echo {
                println!("loopback WebSocket, Rust client on its own thread, {calls} calls each:");
                for (label, channel) in [
                    ("handler completes at once", "bench:lookup"),
                    ("handler yields once", "bench:lookupLater"),
                ] {
                    let latency = sequential(&mut socket, channel, calls).await;
                    let throughput = pipelined(&mut socket, channel, calls * 4, 64).await;
                    println!(
                        "  {label}: sequential {latency}; pipelined (64 in flight) {throughput}"
                    );
                }
            }
            if let Some(case) = &profile {
                let side = if profile_echo { Side::Echo } else { Side::Ipc };
                let mut socket = match side {
                    Side::Ipc => socket,
                    Side::Echo => connect_bare(echo_addr).await,
                };
                let text = if case == "large" {
                    text_of(64 * 1000)
                } else {
                    text_of(1000)
                };
                let text_json = serde_json::to_string(&text).expect("json");
                for _ in 0..rounds {
                    if case == "large" {
                        echo_sequential(&mut socket, side, &text_json, 100).await;
                    } else {
                        echo_pipelined(&mut socket, side, &text_json, 4000, 64).await;
                    }
                }
                return;
            }
            let mut echo = connect_bare(echo_addr).await;
            against_echo(&mut socket, &mut echo, rounds).await;
        });
    });
    client.join().expect("client thread");
    server_runtime.block_on(server.shutdown());
}

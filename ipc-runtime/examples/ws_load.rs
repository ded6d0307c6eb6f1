//! A bounded load run of the loopback WebSocket transport: `--clients`
//! connections (64) each pipeline `--calls` invokes (2,000) against a
//! `WsServer` in the same process, on loopback only. Every reply is
//! checked: its id was sent on that connection and not answered before,
//! its data is that request's (so no reply went to another call or
//! another connection), and every call is answered. Half of the calls go
//! to a handler that completes at once, half to one that yields first (its
//! reply goes through the connection's queue).
//!
//! ```sh
//! cargo run --release -p ipc-contracts-runtime --features ws --example ws_load -- --rounds 3
//! ```
//!
//! It stops by itself: after `--rounds` rounds (1), or with a failure
//! after `--timeout-secs` (120). It exits non-zero when any check fails.
//! Figures are in docs/performance.md.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use ipc_runtime::ws::{WsConfig, WsServer};
use ipc_runtime::{CallContext, IpcHandlerError, Router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// Answers at once.
#[ipc_runtime::contract(invoke, namespace = "load", method = "echo", response = Echoed)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Echo {
    client: u32,
    seq: u32,
}

/// Answers after yielding to the runtime once.
#[ipc_runtime::contract(invoke, namespace = "load", method = "echoLater", response = Echoed)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct EchoLater {
    client: u32,
    seq: u32,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Echoed {
    client: u32,
    seq: u32,
    connection_id: u64,
}

/// The value after `--<name>`, at least 1; `default` when absent.
fn option(name: &str, default: u64) -> Result<u64, String> {
    let arguments: Vec<String> = std::env::args().collect();
    match arguments.iter().position(|a| *a == format!("--{name}")) {
        None => Ok(default),
        Some(at) => arguments
            .get(at + 1)
            .and_then(|value| value.parse::<u64>().ok())
            .filter(|value| *value >= 1)
            .ok_or_else(|| format!("--{name} takes a number of at least 1")),
    }
}

fn router() -> Router {
    Router::builder()
        .invoke::<Echo, _>(|context: CallContext, echo: Echo| async move {
            Ok::<_, IpcHandlerError>(Echoed {
                client: echo.client,
                seq: echo.seq,
                connection_id: context.caller().connection_id,
            })
        })
        .invoke::<EchoLater, _>(|context: CallContext, echo: EchoLater| async move {
            tokio::task::yield_now().await;
            Ok::<_, IpcHandlerError>(Echoed {
                client: echo.client,
                seq: echo.seq,
                connection_id: context.caller().connection_id,
            })
        })
        .build()
        .expect("every contract has a handler")
}

type Socket = tokio_tungstenite::WebSocketStream<TcpStream>;

async fn connect(addr: SocketAddr, origin: &str, secret: &str) -> Result<Socket, String> {
    let mut request = format!("ws://{addr}/ipc")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    headers.insert(
        "Origin",
        HeaderValue::from_str(origin).map_err(|e| e.to_string())?,
    );
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(&format!("ipc-contracts.v1, ipc-secret.{secret}"))
            .map_err(|e| e.to_string())?,
    );
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (socket, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .map_err(|e| format!("handshake refused: {e}"))?;
    Ok(socket)
}

/// What one client saw.
struct ClientRun {
    connection_id: u64,
    elapsed: Duration,
}

/// One client: pipelines every call from one task while another reads
/// and checks the replies.
async fn client(
    addr: SocketAddr,
    origin: String,
    secret: String,
    client: u32,
    calls: u32,
) -> Result<ClientRun, String> {
    let socket = connect(addr, &origin, &secret).await?;
    let start = Instant::now();
    let (mut sink, mut stream) = socket.split();
    let writer = tokio::spawn(async move {
        for seq in 0..calls {
            let channel = if seq % 2 == 0 {
                "load:echo"
            } else {
                "load:echoLater"
            };
            let id = u64::from(seq) + 1;
            let request = format!(
                r#"{{"v":1,"id":{id},"kind":"invoke","channel":"{channel}","payload":{{"client":{client},"seq":{seq}}}}}"#
            );
            sink.feed(Message::text(request))
                .await
                .map_err(|e| format!("client {client}: send failed: {e}"))?;
        }
        sink.flush()
            .await
            .map_err(|e| format!("client {client}: flush failed: {e}"))?;
        Ok::<_, String>(sink)
    });
    let mut answered = HashSet::new();
    let mut connection_id = None;
    while answered.len() < calls as usize {
        let message = match stream.next().await {
            Some(Ok(message)) => message,
            Some(Err(error)) => return Err(format!("client {client}: connection failed: {error}")),
            None => {
                return Err(format!(
                    "client {client}: connection ended with {} of {calls} replies",
                    answered.len()
                ));
            }
        };
        let Message::Text(text) = message else {
            continue;
        };
        let reply: Value = serde_json::from_str(&text)
            .map_err(|e| format!("client {client}: a reply is not JSON ({e}): {text}"))?;
        let id = reply["id"]
            .as_u64()
            .filter(|id| (1..=u64::from(calls)).contains(id))
            .ok_or_else(|| format!("client {client}: a reply to an id never sent: {text}"))?;
        if reply["ok"] != true {
            return Err(format!("client {client}: call {id} failed: {text}"));
        }
        let data = &reply["data"];
        if data["client"] != client || data["seq"] != id - 1 {
            return Err(format!(
                "client {client}: misrouted, the reply to call {id} carries {data}"
            ));
        }
        let connection = data["connection_id"].as_u64();
        if connection.is_none() || connection_id.is_some_and(|known| Some(known) != connection) {
            return Err(format!(
                "client {client}: a reply from another connection: {text}"
            ));
        }
        connection_id = connection;
        if !answered.insert(id) {
            return Err(format!("client {client}: call {id} answered twice"));
        }
    }
    let elapsed = start.elapsed();
    let mut sink = writer
        .await
        .map_err(|e| format!("client {client}: writer failed: {e}"))??;
    let _ = sink.close().await;
    Ok(ClientRun {
        connection_id: connection_id.unwrap_or_default(),
        elapsed,
    })
}

async fn round(
    server: &WsServer,
    clients: u32,
    calls: u32,
) -> Result<(Duration, Vec<Duration>), String> {
    let addr = server.local_addr();
    let origin = server.origin();
    let url = server.app_url();
    let secret = url
        .split("#ipc-secret=")
        .nth(1)
        .ok_or("no secret in the app URL")?
        .to_owned();
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..clients {
        tasks.spawn(client(addr, origin.clone(), secret.clone(), index, calls));
    }
    let mut runs = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        runs.push(joined.map_err(|e| format!("a client task failed: {e}"))??);
    }
    let wall = start.elapsed();
    let connections: HashSet<u64> = runs.iter().map(|run| run.connection_id).collect();
    if connections.len() != runs.len() {
        return Err("two clients were answered from one connection".to_owned());
    }
    let mut per_client: Vec<Duration> = runs.iter().map(|run| run.elapsed).collect();
    per_client.sort_unstable();
    Ok((wall, per_client))
}

fn median(sorted: &[Duration]) -> Duration {
    sorted[sorted.len() / 2]
}

async fn run() -> Result<(), String> {
    let clients = u32::try_from(option("clients", 64)?).map_err(|e| e.to_string())?;
    let calls = u32::try_from(option("calls", 2000)?).map_err(|e| e.to_string())?;
    let rounds = option("rounds", 1)?;
    let server = WsServer::start(
        Arc::new(router()),
        WsConfig {
            max_connections: clients as usize,
            max_pending_connections: clients as usize,
            ..WsConfig::default()
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let total = u64::from(clients) * u64::from(calls);
    let mut throughputs = Vec::new();
    for index in 1..=rounds {
        let (wall, per_client) = round(&server, clients, calls).await?;
        let per_second = total as f64 / wall.as_secs_f64();
        throughputs.push(per_second);
        println!(
            "round {index}: {total} replies checked, none lost or misrouted; {:.2} s, {per_second:.0} calls/s; a client's {calls} calls took {:.0} ms (median), {:.0} ms (slowest)",
            wall.as_secs_f64(),
            median(&per_client).as_secs_f64() * 1e3,
            per_client.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        );
    }
    throughputs.sort_by(f64::total_cmp);
    println!(
        "{clients} clients x {calls} pipelined calls, {rounds} round(s): median {:.0} calls/s",
        throughputs[throughputs.len() / 2]
    );
    server.shutdown().await;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let timeout = match option("timeout-secs", 120) {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(message) => {
            eprintln!("ws_load: {message}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ws_load: cannot start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        tokio::time::timeout(timeout, run())
            .await
            .unwrap_or_else(|_| Err(format!("did not finish within {} s", timeout.as_secs())))
    });
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ws_load: FAILED: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

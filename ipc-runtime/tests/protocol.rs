//! Every failure mode of the wire protocol, with the exact reply the
//! renderer receives.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ipc_runtime::{
    BuildError, BytesAnsweredAsText, CallContext, CallerIdentity, CancellationToken, FrameworkCode,
    HandlerFailure, IpcError, IpcHandlerError, RequestId, Router, contract, contract_error,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// 2^53 + 1: the first integer a JavaScript number cannot hold exactly.
const UNSAFE: u64 = (1 << 53) + 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Profile {
    pub id: u64,
    pub name: String,
}

#[contract_error]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum ProfileError {
    #[ipc(status = 404, message = "Profile {id} does not exist")]
    NotFound { id: u64 },
    /// The profile is being edited elsewhere.
    #[ipc(status = 423)]
    Locked,
}

/// Reads a profile: 1 exists, 2 is locked, anything else is not found.
#[contract(invoke, response = Profile, error = ProfileError)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GetProfile {
    pub id: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Address {
    #[schemars(length(min = 1))]
    pub city: String,
    pub zip: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tag {
    #[schemars(length(max = 8))]
    pub label: String,
}

/// Nested data, to check issue paths.
#[contract(invoke, response = Profile)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UpdateProfile {
    #[schemars(length(min = 1, max = 20))]
    pub name: String,
    pub address: Address,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    Echo,
    Panic,
    Hang,
    HandlerError,
    DriftResponse,
    UnsafeResponse,
    UnsafeDetails,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Outcome {
    pub count: u64,
    #[schemars(length(max = 5))]
    pub label: String,
}

/// Does what `action` says, to provoke each handler failure.
#[contract(invoke, response = Outcome)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Act {
    pub action: Action,
}

/// The same, with a blocking handler.
#[contract(invoke, response = Outcome)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActSync {
    pub action: Action,
}

/// Fire and forget.
#[contract(send)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Track {
    #[schemars(length(min = 1))]
    pub event: String,
}

/// Main -> renderer.
#[contract(event)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ping {
    pub seq: u64,
}

/// What handlers saw, by request id.
#[derive(Default)]
struct Seen {
    tokens: Mutex<HashMap<String, CancellationToken>>,
    tracked: Mutex<Vec<String>>,
}

impl Seen {
    fn token(&self, id: &RequestId) -> CancellationToken {
        let tokens = self.tokens.lock().expect("lock");
        tokens
            .get(&id.to_string())
            .cloned()
            .expect("the handler recorded its token")
    }
}

fn act(
    seen: &Seen,
    context: &CallContext,
    action: Action,
) -> Option<Result<Outcome, IpcHandlerError>> {
    seen.tokens.lock().expect("lock").insert(
        context.request_id().to_string(),
        context.cancellation().clone(),
    );
    Some(match action {
        Action::Echo => Ok(Outcome {
            count: 1,
            label: context.caller().role.clone(),
        }),
        Action::Panic => panic!("secret database password is hunter2"),
        Action::Hang => return None,
        Action::HandlerError => Err(IpcHandlerError::new("QUOTA_EXCEEDED", "Too many requests")
            .with_status(429)
            .with_details(json!({"limit": 3}))),
        Action::DriftResponse => Ok(Outcome {
            count: 1,
            label: "far too long".to_owned(),
        }),
        Action::UnsafeResponse => Ok(Outcome {
            count: UNSAFE,
            label: "big".to_owned(),
        }),
        Action::UnsafeDetails => {
            Err(IpcHandlerError::new("BIG", "Big").with_details(json!({"n": UNSAFE})))
        }
    })
}

fn builder(seen: &Arc<Seen>) -> ipc_runtime::RouterBuilder {
    let (s1, s2, s3) = (Arc::clone(seen), Arc::clone(seen), Arc::clone(seen));
    Router::builder()
        .timeout(Some(Duration::from_secs(5)))
        .contract_timeout::<Act>(Some(Duration::from_millis(100)))
        .contract_timeout::<ActSync>(Some(Duration::from_millis(100)))
        .invoke::<GetProfile, _>(|_ctx, request| async move {
            match request.id {
                1 => Ok(Profile {
                    id: 1,
                    name: "Ada".to_owned(),
                }),
                2 => Err(ProfileError::Locked),
                id => Err(ProfileError::NotFound { id }),
            }
        })
        .invoke::<UpdateProfile, _>(|_ctx, request| async move {
            Ok::<_, IpcHandlerError>(Profile {
                id: 1,
                name: request.name,
            })
        })
        .invoke::<Act, _>(move |ctx, request| {
            let seen = Arc::clone(&s1);
            async move {
                match act(&seen, &ctx, request.action) {
                    Some(result) => result,
                    None => std::future::pending().await,
                }
            }
        })
        .invoke_sync::<ActSync, _>(move |ctx, request| {
            match act(&s2, &ctx, request.action) {
                Some(result) => result,
                None => {
                    // A blocking handler cannot be interrupted: it watches
                    // its token.
                    while !ctx.is_cancelled() {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(IpcHandlerError::new("GAVE_UP", "cancelled"))
                }
            }
        })
        .send::<Track, _>(move |_ctx, payload| {
            let seen = Arc::clone(&s3);
            async move {
                if payload.event == "fail" {
                    return Err(IpcHandlerError::new("TRACK_FAILED", "Could not record"));
                }
                seen.tracked.lock().expect("lock").push(payload.event);
                Ok(())
            }
        })
}

fn setup() -> (Router, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let router = builder(&seen).build().expect("router builds");
    (router, seen)
}

fn caller() -> CallerIdentity {
    CallerIdentity::new(7, "main", "app://test").with_window(3)
}

async fn raw(router: &Router, request: &[u8]) -> Option<Value> {
    router
        .dispatch(request, caller())
        .await
        .map(|reply| serde_json::from_slice(&reply).expect("replies are JSON"))
}

async fn invoke(router: &Router, id: Value, channel: &str, payload: Value) -> Value {
    let request =
        json!({"v": 1, "id": id, "kind": "invoke", "channel": channel, "payload": payload});
    raw(router, request.to_string().as_bytes())
        .await
        .expect("an invoke always gets a reply")
}

fn framework(code: &str, message: &str, status: u16) -> Value {
    json!({"name": "IPCHandlerError", "code": code, "message": message, "statusCode": status})
}

#[tokio::test]
async fn success_reply() {
    let (router, _) = setup();
    assert_eq!(
        invoke(
            &router,
            json!("a-1"),
            "protocol:getProfile",
            json!({"id": 1})
        )
        .await,
        json!({"id": "a-1", "ok": true, "data": {"id": 1, "name": "Ada"}})
    );
    let reply = router
        .dispatch(br#"{"v":1,"id":5,"kind":"invoke","channel":"protocol:act","payload":{"action":"echo"}}"#, caller())
        .await
        .expect("reply");
    assert_eq!(
        reply,
        br#"{"id":5,"ok":true,"data":{"count":1,"label":"main"}}"#
    );
}

#[tokio::test]
async fn unknown_channel() {
    let (router, _) = setup();
    assert_eq!(
        invoke(&router, json!(1), "nope:missing", json!({})).await,
        json!({"id": 1, "ok": false, "error": framework("IPC_UNKNOWN_CHANNEL", "No handler for channel \"nope:missing\"", 404)})
    );
    // An event channel has no handler either.
    assert_eq!(
        invoke(&router, json!(2), "protocol:ping", json!({"seq": 1})).await,
        json!({"id": 2, "ok": false, "error": framework("IPC_UNKNOWN_CHANNEL", "No handler for channel \"protocol:ping\"", 404)})
    );
}

#[tokio::test]
async fn malformed_envelopes() {
    let (router, _) = setup();
    let cases: Vec<(&[u8], Value)> = vec![
        (
            b"this is not json",
            json!({"id": null, "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "The request is not valid JSON: expected ident at line 1 column 2", 400)}),
        ),
        (
            b"[1, 2]",
            json!({"id": null, "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "The request is not a JSON object", 400)}),
        ),
        (
            br#"{"v":1,"kind":"invoke","channel":"protocol:getProfile","payload":{"id":1}}"#,
            json!({"id": null, "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "An invoke request needs an `id`", 400)}),
        ),
        (
            br#"{"v":1,"id":true,"kind":"invoke","channel":"protocol:getProfile","payload":{"id":1}}"#,
            json!({"id": null, "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "The request's `id` must be a string of at most 128 bytes or a safe integer", 400)}),
        ),
        (
            br#"{"v":1,"id":9007199254740993,"kind":"invoke","channel":"protocol:getProfile","payload":{"id":1}}"#,
            json!({"id": null, "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "The request's `id` must be a string of at most 128 bytes or a safe integer", 400)}),
        ),
        (
            br#"{"id":3,"kind":"invoke","channel":"protocol:getProfile","payload":{"id":1}}"#,
            json!({"id": 3, "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "The request has no `v`", 400)}),
        ),
        (
            br#"{"v":2,"id":4,"kind":"invoke","channel":"protocol:getProfile","payload":{"id":1}}"#,
            json!({"id": 4, "ok": false, "error": framework("IPC_UNSUPPORTED_VERSION", "Protocol version 2 is not supported; this side speaks version 1", 400)}),
        ),
        (
            br#"{"v":"1","id":4,"kind":"invoke","channel":"protocol:getProfile","payload":{"id":1}}"#,
            json!({"id": 4, "ok": false, "error": framework("IPC_UNSUPPORTED_VERSION", "Protocol version \"1\" is not supported; this side speaks version 1", 400)}),
        ),
        (
            br#"{"v":1,"id":"k","kind":"event","channel":"protocol:ping","payload":{"seq":1}}"#,
            json!({"id": "k", "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "The request's `kind` must be \"invoke\" or \"send\"", 400)}),
        ),
        (
            br#"{"v":1,"id":5,"kind":"invoke","channel":7,"payload":{"id":1}}"#,
            json!({"id": 5, "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "The request's `channel` must be a string", 400)}),
        ),
        (
            br#"{"v":1,"id":6,"kind":"invoke","channel":"protocol:getProfile"}"#,
            json!({"id": 6, "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "The request has no `payload`", 400)}),
        ),
        (
            br#"{"v":1,"id":7,"kind":"invoke","channel":"protocol:getProfile","payload":{"id":1},"extra":true}"#,
            json!({"id": 7, "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "The request has a unknown envelope field `extra`", 400)}),
        ),
        (
            br#"{"v":1,"id":8,"kind":"invoke","kind":"send","channel":"protocol:getProfile","payload":{"id":1}}"#,
            json!({"id": 8, "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "The request has a duplicate envelope field `kind`", 400)}),
        ),
        (
            br#"{"v":1,"id":9,"kind":"send","channel":"protocol:getProfile","payload":{"id":1}}"#,
            json!({"id": 9, "ok": false, "error": framework("IPC_MALFORMED_REQUEST", "Channel \"protocol:getProfile\" is a invoke contract, but the request's kind is \"send\"", 400)}),
        ),
    ];
    for (request, expected) in cases {
        assert_eq!(
            raw(&router, request)
                .await
                .expect("a malformed request gets a reply"),
            expected,
            "{}",
            String::from_utf8_lossy(request)
        );
    }
    let long_id = "x".repeat(129);
    assert_eq!(
        invoke(
            &router,
            json!(long_id),
            "protocol:getProfile",
            json!({"id": 1})
        )
        .await["id"],
        Value::Null
    );
}

#[tokio::test]
async fn too_large_is_refused_before_parsing() {
    let seen = Arc::new(Seen::default());
    let router = builder(&seen)
        .max_request_bytes(100)
        .build()
        .expect("router builds");
    let body = "x".repeat(100);
    let request = json!({"v": 1, "id": 1, "kind": "send", "channel": "protocol:track", "payload": {"event": body}});
    let bytes = request.to_string();
    assert_eq!(
        raw(&router, bytes.as_bytes()).await.expect("reply"),
        json!({"id": 1, "ok": false, "error": framework("IPC_PAYLOAD_TOO_LARGE", &format!("The request is {} bytes; the limit is 100 bytes", bytes.len()), 413)})
    );
    // Broken JSON of the same size is refused the same way: it is not read.
    let mut broken = bytes.into_bytes();
    broken[0] = b'!';
    assert_eq!(
        raw(&router, &broken).await.expect("reply")["error"]["code"],
        "IPC_PAYLOAD_TOO_LARGE"
    );
    assert!(seen.tracked.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn too_large_is_answered_with_a_leading_id_only() {
    let seen = Arc::new(Seen::default());
    let router = builder(&seen)
        .max_request_bytes(100)
        .build()
        .expect("router builds");
    let body = "x".repeat(1000);
    let id_of = |request: String| {
        let router = &router;
        async move {
            let reply = raw(router, request.as_bytes()).await.expect("reply");
            assert_eq!(reply["error"]["code"], "IPC_PAYLOAD_TOO_LARGE", "{reply}");
            reply["id"].clone()
        }
    };
    // The id among the scalar members the request starts with: answered.
    let tail =
        format!(r#""kind":"send","channel":"protocol:track","payload":{{"event":"{body}"}}}}"#);
    assert_eq!(id_of(format!(r#"{{"v":1,"id":7,{tail}"#)).await, json!(7));
    assert_eq!(
        id_of(format!(r#" {{ "v" : 1 , "id" : "call-7" , {tail}"#)).await,
        json!("call-7")
    );
    assert_eq!(id_of(format!(r#"{{"id":-3,{tail}"#)).await, json!(-3));
    // After a nested value, past the first 512 bytes, given twice, escaped,
    // not a valid id, or not in an object: null.
    let after = format!(r#"{{"v":1,"payload":{{"event":"{body}"}},"id":7}}"#);
    assert_eq!(id_of(after).await, Value::Null);
    let far = format!(r#"{{"v":1,"pad":"{}","id":7,{tail}"#, "p".repeat(600));
    assert_eq!(id_of(far).await, Value::Null);
    assert_eq!(
        id_of(format!(r#"{{"id":7,"id":8,{tail}"#)).await,
        Value::Null
    );
    assert_eq!(id_of(format!(r#"{{"i\u0064":7,{tail}"#)).await, Value::Null);
    assert_eq!(
        id_of(format!(r#"{{"id":9007199254740992,{tail}"#)).await,
        Value::Null
    );
    assert_eq!(id_of(format!(r#"{{"id":{{}},{tail}"#)).await, Value::Null);
    assert_eq!(
        id_of(format!(r#"[{{"id":7}},"{body}"]"#)).await,
        Value::Null
    );
    // A number cut by the end of the window is not read as a shorter one.
    let cut = format!(r#"{{"pad":"{}","id":12345,{tail}"#, "p".repeat(495));
    assert_eq!(cut.find("12345"), Some(510));
    assert_eq!(id_of(cut).await, Value::Null);
    assert!(seen.tracked.lock().expect("lock").is_empty());
}

fn nested(depth: usize) -> Value {
    let mut value = json!(0);
    for _ in 0..depth {
        value = json!([value]);
    }
    value
}

#[tokio::test]
async fn too_deep() {
    let (router, seen) = setup();
    // The deep value is an unknown field, so only the depth check sees it.
    let payload = json!({"event": "x", "junk": nested(70)});
    let request =
        json!({"v": 1, "id": 11, "kind": "send", "channel": "protocol:track", "payload": payload});
    assert_eq!(
        raw(&router, request.to_string().as_bytes())
            .await
            .expect("reply"),
        json!({"id": 11, "ok": false, "error": framework("IPC_PAYLOAD_TOO_DEEP", "The payload nests deeper than 64 levels", 400)})
    );
    // 64 levels are fine.
    let payload = json!({"event": "x", "junk": nested(63)});
    let request =
        json!({"v": 1, "id": 12, "kind": "send", "channel": "protocol:track", "payload": payload});
    assert_eq!(raw(&router, request.to_string().as_bytes()).await, None);
    // Far beyond serde_json's recursion limit (128): the envelope is still
    // read (skipping a value does not recurse), so the reply is correlated.
    let deep = format!(
        r#"{{"v":1,"id":13,"kind":"send","channel":"protocol:track","payload":{}}}"#,
        "[".repeat(100_000) + &"]".repeat(100_000)
    );
    assert_eq!(
        raw(&router, deep.as_bytes()).await.expect("reply"),
        json!({"id": 13, "ok": false, "error": framework("IPC_PAYLOAD_TOO_DEEP", "The payload nests deeper than 64 levels", 400)})
    );
    assert_eq!(*seen.tracked.lock().expect("lock"), vec!["x".to_owned()]);
}

#[tokio::test]
async fn validation_issues_have_paths() {
    let (router, _) = setup();
    let payload = json!({
        "name": "",
        "address": {"zip": "12345"},
        "tags": [{"label": "ok"}, {"label": "much too long"}]
    });
    assert_eq!(
        invoke(&router, json!(21), "protocol:updateProfile", payload).await,
        json!({"id": 21, "ok": false, "error": {
            "name": "IPCValidationError",
            "code": "IPC_VALIDATION_ERROR",
            "message": "Request validation failed: 4 issues",
            "field": "request",
            "issues": [
                {"path": ["name"], "message": "String must contain at least 1 character(s)", "expected": "length >= 1", "received": "length 0"},
                {"path": ["address", "city"], "message": "Required", "received": "undefined"},
                {"path": ["address", "zip"], "message": "Expected integer, received string", "expected": "integer", "received": "string"},
                {"path": ["tags", 1, "label"], "message": "String must contain at most 8 character(s)", "expected": "length <= 8", "received": "length 13"}
            ]
        }})
    );
    // A struct sent as an array is not coerced the way serde would.
    assert_eq!(
        invoke(&router, json!(22), "protocol:getProfile", json!([1])).await["error"]["issues"],
        json!([{"path": [], "message": "Expected object, received array", "expected": "object", "received": "array"}])
    );
    // JSON Schema counts 1.0 as an integer, and so does the runtime.
    assert_eq!(
        invoke(
            &router,
            json!(23),
            "protocol:getProfile",
            json!({"id": 1.0})
        )
        .await,
        json!({"id": 23, "ok": true, "data": {"id": 1, "name": "Ada"}})
    );
}

#[tokio::test]
async fn issues_are_bounded() {
    let (router, _) = setup();
    let tags: Vec<Value> = (0..150).map(|_| json!({"label": "123456789"})).collect();
    let payload = json!({"name": "n", "address": {"city": "c", "zip": 1}, "tags": tags});
    let reply = invoke(&router, json!(24), "protocol:updateProfile", payload).await;
    let error = &reply["error"];
    assert_eq!(error["issues"].as_array().map(Vec::len), Some(100));
    assert_eq!(
        error["message"],
        "Request validation failed: more than 100 issues, the first 100 are listed"
    );
    assert_eq!(error["issues"][99]["path"], json!(["tags", 99, "label"]));
}

#[tokio::test]
async fn typed_contract_errors() {
    let (router, _) = setup();
    assert_eq!(
        invoke(&router, json!(31), "protocol:getProfile", json!({"id": 7})).await,
        json!({"id": 31, "ok": false, "error": {
            "name": "IPCHandlerError", "code": "NOT_FOUND", "message": "Profile 7 does not exist",
            "statusCode": 404, "details": {"id": 7}
        }})
    );
    assert_eq!(
        invoke(&router, json!(32), "protocol:getProfile", json!({"id": 2})).await,
        json!({"id": 32, "ok": false, "error": {
            "name": "IPCHandlerError", "code": "LOCKED", "message": "The profile is being edited elsewhere.",
            "statusCode": 423
        }})
    );
}

#[tokio::test]
async fn handler_errors() {
    let (router, _) = setup();
    let expected = json!({
        "name": "IPCHandlerError", "code": "QUOTA_EXCEEDED", "message": "Too many requests",
        "statusCode": 429, "details": {"limit": 3}
    });
    for channel in ["protocol:act", "protocol:actSync"] {
        assert_eq!(
            invoke(
                &router,
                json!(41),
                channel,
                json!({"action": "handlerError"})
            )
            .await,
            json!({"id": 41, "ok": false, "error": expected})
        );
    }
}

#[tokio::test]
async fn panics_become_internal_errors_without_leaking() {
    let (router, _) = setup();
    for channel in ["protocol:act", "protocol:actSync"] {
        let request = json!({"v": 1, "id": 51, "kind": "invoke", "channel": channel, "payload": {"action": "panic"}});
        let reply = router
            .dispatch(request.to_string().as_bytes(), caller())
            .await
            .expect("reply");
        let text = String::from_utf8(reply).expect("utf-8");
        assert!(
            !text.contains("hunter2") && !text.contains("panic"),
            "{text}"
        );
        assert_eq!(
            serde_json::from_str::<Value>(&text).expect("json"),
            json!({"id": 51, "ok": false, "error": framework("INTERNAL_ERROR", "Internal error", 500)})
        );
    }
    // The router still serves requests afterwards.
    assert_eq!(
        invoke(
            &router,
            json!(52),
            "protocol:act",
            json!({"action": "echo"})
        )
        .await["ok"],
        true
    );
}

#[tokio::test]
async fn timeouts_cancel_the_handler() {
    let (router, seen) = setup();
    for (id, channel) in [(61, "protocol:act"), (62, "protocol:actSync")] {
        assert_eq!(
            invoke(&router, json!(id), channel, json!({"action": "hang"})).await,
            json!({"id": id, "ok": false, "error": framework("IPC_TIMEOUT", "The handler did not finish within 100 ms", 504)})
        );
        assert!(seen.token(&RequestId::Number(id)).is_cancelled());
    }
}

#[test]
fn timeouts_without_a_time_driver_are_refused_not_a_panic() {
    // A runtime built without `enable_time`: tokio's timers panic there.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (router, seen) = setup();
    runtime.block_on(async {
        assert_eq!(
            invoke(&router, json!(65), "protocol:act", json!({"action": "hang"})).await,
            json!({"id": 65, "ok": false, "error": framework("INTERNAL_ERROR", "Internal error", 500)})
        );
        assert!(seen.token(&RequestId::Number(65)).is_cancelled());
        // A call that completes at once needs no timer.
        assert_eq!(
            invoke(&router, json!(66), "protocol:act", json!({"action": "echo"})).await["ok"],
            true
        );
    });
}

#[tokio::test]
async fn cancellation() {
    let (router, seen) = setup();
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        trigger.cancel();
    });
    let request =
        br#"{"v":1,"id":71,"kind":"invoke","channel":"protocol:act","payload":{"action":"hang"}}"#;
    let reply = router
        .dispatch_cancellable(request, caller(), &cancel)
        .await
        .expect("reply");
    assert_eq!(
        serde_json::from_slice::<Value>(&reply).expect("json"),
        json!({"id": 71, "ok": false, "error": framework("IPC_CANCELLED", "The call was cancelled", 499)})
    );
    assert!(seen.token(&RequestId::Number(71)).is_cancelled());

    // In process: the caller's own token.
    let token = CancellationToken::new();
    token.cancel();
    let context = CallContext::new(72, caller()).with_cancellation(token);
    let error = router
        .call(
            context,
            Act {
                action: Action::Hang,
            },
        )
        .await
        .expect_err("cancelled");
    assert_eq!(error.framework_code(), Some(FrameworkCode::Cancelled));
}

/// The handler's token is a child of the transport's: the transport ends
/// every call, a timeout ends its own call only.
#[tokio::test]
async fn a_timeout_cancels_its_call_and_not_the_transports_token() {
    let (router, seen) = setup();
    let connection = CancellationToken::new();
    let request =
        br#"{"v":1,"id":73,"kind":"invoke","channel":"protocol:act","payload":{"action":"hang"}}"#;
    let reply = router
        .dispatch_cancellable(request, caller(), &connection)
        .await
        .expect("reply");
    assert_eq!(
        serde_json::from_slice::<Value>(&reply).expect("json")["error"]["code"],
        "IPC_TIMEOUT"
    );
    assert!(seen.token(&RequestId::Number(73)).is_cancelled());
    assert!(!connection.is_cancelled());
}

/// A transport's token shared through an `Arc`, whose child a call makes
/// only when it needs one, ends its calls and is left alone by a timeout,
/// as a borrowed one is; with a request given as text, whose reply is text.
#[tokio::test]
async fn a_shared_transport_token_ends_its_calls_and_outlives_a_timeout() {
    let (router, seen) = setup();
    let connection = Arc::new(CancellationToken::new());
    let hang =
        r#"{"v":1,"id":74,"kind":"invoke","channel":"protocol:act","payload":{"action":"hang"}}"#;
    let reply: String = router
        .dispatch_cancellable(hang, caller(), &connection)
        .await
        .expect("reply");
    assert_eq!(
        serde_json::from_str::<Value>(&reply).expect("json")["error"]["code"],
        "IPC_TIMEOUT"
    );
    assert!(seen.token(&RequestId::Number(74)).is_cancelled());
    assert!(!connection.is_cancelled());

    let trigger = Arc::clone(&connection);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        trigger.cancel();
    });
    let hang = hang.replace("74", "75");
    let permit = |_: &str, _: ipc_runtime::ContractKind| true;
    let reply: String = router
        .dispatch_permitted(&hang, caller(), &connection, &permit)
        .await
        .expect("reply");
    assert_eq!(
        serde_json::from_str::<Value>(&reply).expect("json"),
        json!({"id": 75, "ok": false, "error": framework("IPC_CANCELLED", "The call was cancelled", 499)})
    );
    assert!(seen.token(&RequestId::Number(75)).is_cancelled());
}

/// Text and bytes of the same request get the same reply, as text and as
/// bytes (or as text, for bytes answered as text), whatever the request's
/// fate.
#[tokio::test]
async fn text_and_bytes_get_the_same_reply() {
    let (router, _) = setup();
    for request in [
        r#"{"v":1,"id":76,"kind":"invoke","channel":"protocol:act","payload":{"action":"echo"}}"#,
        r#"{"channel":"protocol:act","v":1,"id":77,"kind":"invoke","payload":{"action":"echo"}}"#,
        r#"{"v":1,"id":78,"kind":"invoke","channel":"protocol:act","payload":{"action":"nope"}}"#,
        r#"{"v":1,"id":79,"kind":"invoke","channel":"protocol:none","payload":{}}"#,
        r#"{"v":1,"id":"é","kind":"invoke""#,
    ] {
        let as_text: Option<String> = router.dispatch(request, caller()).await;
        let as_bytes: Option<Vec<u8>> = router.dispatch(request.as_bytes(), caller()).await;
        let bytes_as_text: Option<String> = router
            .dispatch(&BytesAnsweredAsText(request.as_bytes()), caller())
            .await;
        assert_eq!(bytes_as_text, as_text, "{request}");
        assert_eq!(as_text.map(String::into_bytes), as_bytes, "{request}");
    }
}

/// Bytes that are not UTF-8 are refused as malformed, as text: the reply
/// of bytes answered as text is the bytes entry's, byte for byte.
#[tokio::test]
async fn bytes_that_are_not_utf8_are_answered_as_text() {
    let (router, _) = setup();
    for request in [
        &b"{\"v\":1,\"id\":80,\"kind\":\"invoke\",\"channel\":\"protocol:act\",\"payload\":{\"action\":\"\xff\"}}"[..],
        &b"\xc3"[..],
    ] {
        let as_bytes: Option<Vec<u8>> = router.dispatch(request, caller()).await;
        let as_text: Option<String> = router
            .dispatch(&BytesAnsweredAsText(request), caller())
            .await;
        let as_text = as_text.expect("a reply");
        assert_eq!(Some(as_text.as_bytes().to_vec()), as_bytes);
        let reply: Value = serde_json::from_str(&as_text).expect("json");
        assert_eq!(reply["ok"], json!(false), "{as_text}");
    }
}

#[tokio::test]
async fn response_drift_is_reported_as_a_response_validation_error() {
    let (router, _) = setup();
    assert_eq!(
        invoke(
            &router,
            json!(81),
            "protocol:act",
            json!({"action": "driftResponse"})
        )
        .await,
        json!({"id": 81, "ok": false, "error": {
            "name": "IPCValidationError", "code": "IPC_VALIDATION_ERROR",
            "message": "Response validation failed: 1 issue", "field": "response",
            "issues": [{"path": ["label"], "message": "String must contain at most 5 character(s)", "expected": "length <= 5", "received": "length 12"}]
        }})
    );
}

#[tokio::test]
async fn unsafe_integers_in_and_out() {
    let unsafe_issue = json!({
        "path": ["count"],
        "message": "Integer 9007199254740993 is outside the safe range of ±9007199254740991 and would lose precision in JavaScript",
        "expected": "integer between -9007199254740991 and 9007199254740991",
        "received": "9007199254740993"
    });
    // In: refused by the schema's clamped maximum.
    let (router, _) = setup();
    assert_eq!(
        invoke(
            &router,
            json!(91),
            "protocol:getProfile",
            json!({"id": UNSAFE})
        )
        .await,
        json!({"id": 91, "ok": false, "error": {
            "name": "IPCValidationError", "code": "IPC_VALIDATION_ERROR",
            "message": "Request validation failed: 1 issue", "field": "request",
            "issues": [{"path": ["id"], "message": "Number must be less than or equal to 9007199254740991", "expected": "<= 9007199254740991", "received": "9007199254740993"}]
        }})
    );
    // Out, with outbound validation on (debug builds) and off (release):
    // the safe-integer check runs either way.
    for validate in [true, false] {
        let seen = Arc::new(Seen::default());
        let router = builder(&seen)
            .validate_outbound(validate)
            .build()
            .expect("router builds");
        let reply = invoke(
            &router,
            json!(92),
            "protocol:act",
            json!({"action": "unsafeResponse"}),
        )
        .await;
        assert_eq!(reply["error"]["field"], "response", "validate = {validate}");
        // Once, though it also breaks the schema's clamped range.
        assert_eq!(
            reply["error"]["issues"],
            json!([unsafe_issue]),
            "validate = {validate}"
        );
        let reply = invoke(
            &router,
            json!(93),
            "protocol:act",
            json!({"action": "unsafeDetails"}),
        )
        .await;
        assert_eq!(
            reply["error"]["issues"][0]["path"],
            json!(["details", "n"]),
            "validate = {validate}"
        );
        let error = router
            .event(&Ping { seq: UNSAFE })
            .expect_err("unsafe event");
        match error {
            IpcError::Validation(error) => {
                let paths: Vec<_> = error.issues.iter().map(|issue| &issue.path).collect();
                assert_eq!(paths, [&vec!["seq".into()]], "validate = {validate}");
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn sends_reply_only_on_failure() {
    let (router, seen) = setup();
    let send = |id: i64, event: &str| {
        json!({"v": 1, "id": id, "kind": "send", "channel": "protocol:track", "payload": {"event": event}}).to_string()
    };
    assert_eq!(raw(&router, send(101, "opened").as_bytes()).await, None);
    assert_eq!(
        raw(&router, send(102, "").as_bytes()).await,
        Some(json!({"id": 102, "ok": false, "error": {
            "name": "IPCValidationError", "code": "IPC_VALIDATION_ERROR",
            "message": "Request validation failed: 1 issue", "field": "request",
            "issues": [{"path": ["event"], "message": "String must contain at least 1 character(s)", "expected": "length >= 1", "received": "length 0"}]
        }}))
    );
    assert_eq!(
        raw(&router, send(103, "fail").as_bytes()).await,
        Some(
            json!({"id": 103, "ok": false, "error": {"name": "IPCHandlerError", "code": "TRACK_FAILED", "message": "Could not record"}})
        )
    );
    assert_eq!(
        *seen.tracked.lock().expect("lock"),
        vec!["opened".to_owned()]
    );
}

#[tokio::test]
async fn events_are_validated_envelopes() {
    let (router, _) = setup();
    assert_eq!(
        router.event(&Ping { seq: 4 }).expect("valid event"),
        br#"{"v":1,"kind":"event","channel":"protocol:ping","payload":{"seq":4}}"#
    );
}

#[tokio::test]
async fn forbidden_callers() {
    let seen = Arc::new(Seen::default());
    let router = builder(&seen)
        .authorize(|caller, channel, _kind| {
            caller.role == "main" || channel == "protocol:getProfile"
        })
        .build()
        .expect("router builds");
    let guest = CallerIdentity::new(8, "guest", "app://test");
    let request =
        br#"{"v":1,"id":111,"kind":"invoke","channel":"protocol:act","payload":{"action":"echo"}}"#;
    let reply = router
        .dispatch(request, guest.clone())
        .await
        .expect("reply");
    assert_eq!(
        serde_json::from_slice::<Value>(&reply).expect("json"),
        json!({"id": 111, "ok": false, "error": framework("IPC_FORBIDDEN", "This caller may not use channel \"protocol:act\"", 403)})
    );
    // Refused before validation: an invalid payload gets the same answer.
    let request = br#"{"v":1,"id":112,"kind":"invoke","channel":"protocol:act","payload":[]}"#;
    let reply = router
        .dispatch(request, guest.clone())
        .await
        .expect("reply");
    assert_eq!(
        serde_json::from_slice::<Value>(&reply).expect("json")["error"]["code"],
        "IPC_FORBIDDEN"
    );
    let error = router
        .call(
            CallContext::new(113, guest.clone()),
            Act {
                action: Action::Echo,
            },
        )
        .await
        .expect_err("forbidden");
    assert_eq!(error.framework_code(), Some(FrameworkCode::Forbidden));
    let allowed = router
        .call(CallContext::new(114, guest), GetProfile { id: 1 })
        .await
        .expect("allowed");
    assert_eq!(allowed.name, "Ada");
}

#[tokio::test]
async fn typed_calls() {
    let (router, _) = setup();
    let context = || CallContext::new("in-process", caller());
    assert_eq!(
        router.call(context(), GetProfile { id: 1 }).await,
        Ok(Profile {
            id: 1,
            name: "Ada".to_owned()
        })
    );
    let error = router
        .call(context(), GetProfile { id: 9 })
        .await
        .expect_err("not found");
    assert_eq!(
        serde_json::to_value(&error).expect("json"),
        json!({"name": "IPCHandlerError", "code": "NOT_FOUND", "message": "Profile 9 does not exist", "statusCode": 404, "details": {"id": 9}})
    );
    // In-process requests are validated like received ones.
    let error = router
        .call(context(), GetProfile { id: UNSAFE })
        .await
        .expect_err("unsafe id");
    assert_eq!(error.code(), "IPC_VALIDATION_ERROR");
    router
        .send(
            context(),
            Track {
                event: "typed".to_owned(),
            },
        )
        .await
        .expect("delivered");
    let error = router
        .call(
            context(),
            Act {
                action: Action::DriftResponse,
            },
        )
        .await
        .expect_err("drift");
    assert_eq!(
        serde_json::to_value(&error).expect("json")["field"],
        "response"
    );
}

#[test]
fn missing_handlers_are_all_listed() {
    let error: BuildError = Router::builder().build().expect_err("no handlers");
    assert_eq!(
        error.missing_handlers,
        [
            "protocol:act",
            "protocol:actSync",
            "protocol:getProfile",
            "protocol:track",
            "protocol:updateProfile"
        ]
    );
    assert!(error.problems.is_empty());
    assert_eq!(
        error.to_string(),
        "the router cannot be built:\n  - no handler for 5 contract(s): protocol:act, protocol:actSync, protocol:getProfile, protocol:track, protocol:updateProfile\n"
    );
}

#[test]
fn duplicate_handlers_are_reported_with_the_rest() {
    let seen = Arc::new(Seen::default());
    let error = builder(&seen)
        .invoke::<GetProfile, _>(|_ctx, _request| async {
            Err::<Profile, _>(HandlerFailure::<ProfileError>::Handler(
                IpcHandlerError::internal(),
            ))
        })
        .contract_timeout::<Ping>(None)
        .build()
        .expect_err("duplicate");
    assert!(error.missing_handlers.is_empty());
    assert_eq!(
        error.problems,
        [
            "channel `protocol:getProfile` has two handlers (for `protocol::GetProfile` and `protocol::GetProfile`)"
        ]
    );

    let error = Router::builder()
        .invoke_sync::<GetProfile, _>(|_ctx, _request| {
            Ok::<_, ProfileError>(Profile {
                id: 1,
                name: "a".into(),
            })
        })
        .invoke_sync::<GetProfile, _>(|_ctx, _request| {
            Ok::<_, ProfileError>(Profile {
                id: 2,
                name: "b".into(),
            })
        })
        .build()
        .expect_err("duplicate and missing");
    assert_eq!(
        error.missing_handlers,
        [
            "protocol:act",
            "protocol:actSync",
            "protocol:track",
            "protocol:updateProfile"
        ]
    );
    assert_eq!(error.problems.len(), 1);
}

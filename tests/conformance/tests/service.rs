//! What a shell relies on from `ConformanceService` before the suite runs:
//! the router builds with the advertised limits, and the event hook is the
//! only way events leave it.

use std::sync::{Arc, Mutex};

use conformance::{
    Audience, ConformanceService, EventTarget, MAX_DEPTH, MAX_REQUEST_BYTES, Pinged,
    RESTRICTED_CHANNEL, STALL_TIMEOUT,
};
use ipc_runtime::CallerIdentity;
use serde_json::{Value, json};

async fn call(router: &ipc_runtime::Router, caller: u64, channel: &str, payload: Value) -> Value {
    let request =
        json!({"v": 1, "id": 1, "kind": "invoke", "channel": channel, "payload": payload});
    let reply = router
        .dispatch(
            request.to_string().as_bytes(),
            CallerIdentity::new(caller, "test", "http://127.0.0.1"),
        )
        .await
        .expect("an invoke is answered");
    serde_json::from_slice(&reply).expect("the reply is JSON")
}

#[tokio::test]
async fn the_router_reports_the_limits_it_was_built_with() {
    let service = ConformanceService::new();
    let router = service.router().expect("the router builds");
    assert_eq!(router.config().max_request_bytes, MAX_REQUEST_BYTES);
    assert_eq!(router.config().max_depth, MAX_DEPTH);
    let reply = call(&router, 1, "conformance:getLimits", json!({})).await;
    assert_eq!(
        reply["data"],
        json!({
            "maxRequestBytes": MAX_REQUEST_BYTES,
            "maxDepth": MAX_DEPTH,
            "stallTimeoutMs": STALL_TIMEOUT.as_millis(),
            "restrictedChannel": RESTRICTED_CHANNEL,
        })
    );
}

#[tokio::test]
async fn events_go_through_the_hook_to_their_target() {
    let service = ConformanceService::new();
    let router = service.router().expect("the router builds");
    let reply = call(
        &router,
        7,
        "conformance:emitPing",
        json!({"seq": 1, "audience": "all"}),
    )
    .await;
    assert_eq!(reply["error"]["code"], "EVENTS_UNAVAILABLE", "{reply}");
    assert_eq!(reply["error"]["statusCode"], 503);

    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let set = service.on_event(Box::new(move |target, event: &Pinged| {
        let to = match target {
            EventTarget::All => None,
            EventTarget::Caller(caller) => Some(caller.connection_id),
        };
        record.lock().expect("lock").push((to, event.clone()));
        if event.seq == 3 {
            Err("window closed".to_owned())
        } else {
            Ok(())
        }
    }));
    assert!(set.is_ok());
    assert!(
        service.on_event(Box::new(|_, _| Ok(()))).is_err(),
        "only the first hook is kept"
    );

    let reply = call(
        &router,
        7,
        "conformance:emitPing",
        json!({"seq": 1, "audience": "all"}),
    )
    .await;
    assert_eq!(reply, json!({"id": 1, "ok": true, "data": null}));
    call(
        &router,
        7,
        "conformance:emitPing",
        json!({"seq": 2, "audience": "caller"}),
    )
    .await;
    let reply = call(
        &router,
        8,
        "conformance:emitPing",
        json!({"seq": 3, "audience": "caller"}),
    )
    .await;
    assert_eq!(reply["error"]["code"], "EVENT_NOT_DELIVERED", "{reply}");
    assert_eq!(
        *seen.lock().expect("lock"),
        [
            (
                None,
                Pinged {
                    seq: 1,
                    audience: Audience::All
                }
            ),
            (
                Some(7),
                Pinged {
                    seq: 2,
                    audience: Audience::Caller
                }
            ),
            (
                Some(8),
                Pinged {
                    seq: 3,
                    audience: Audience::Caller
                }
            ),
        ]
    );
}

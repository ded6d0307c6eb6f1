//! The notes example's own handlers (`NotesService`), served through
//! `Router::dispatch` as every shell serves them: request bytes in, reply
//! bytes out, event envelopes for broadcast.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ipc_runtime::{CallerIdentity, Router};
use notes_contracts::NoteChanged;
use notes_core::NotesService;
use serde_json::{Value, json};

/// A data directory of its own for each test, emptied first.
fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("notes-core-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The service's router, and the changes it reported (as a shell's
/// listener would receive them).
fn serve(dir: &std::path::Path) -> (Router, Arc<Mutex<Vec<NoteChanged>>>) {
    let service = NotesService::open(dir).expect("the data directory opens");
    let changes = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&changes);
    service.on_change(Box::new(move |change| {
        seen.lock().expect("lock").push(change.clone());
    }));
    (
        service.router().expect("every contract has a handler"),
        changes,
    )
}

fn window() -> CallerIdentity {
    CallerIdentity::new(1, "notes", "http://127.0.0.1").with_window(1)
}

async fn request(
    router: &Router,
    id: u64,
    kind: &str,
    channel: &str,
    payload: Value,
) -> Option<Value> {
    let bytes =
        json!({"v": 1, "id": id, "kind": kind, "channel": channel, "payload": payload}).to_string();
    router
        .dispatch(bytes.as_bytes(), window())
        .await
        .map(|reply| serde_json::from_slice(&reply).expect("replies are JSON"))
}

async fn invoke(router: &Router, id: u64, channel: &str, payload: Value) -> Value {
    request(router, id, "invoke", channel, payload)
        .await
        .expect("invokes are answered")
}

/// The event envelopes a shell would broadcast for the changes so far.
fn broadcast(router: &Router, changes: &Mutex<Vec<NoteChanged>>) -> Vec<Value> {
    changes
        .lock()
        .expect("lock")
        .drain(..)
        .map(|change| {
            let envelope = router.event(&change).expect("a valid event");
            serde_json::from_slice(&envelope).expect("json")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_of_the_notes_app() {
    let dir = data_dir("session");
    let (router, changes) = serve(&dir);
    assert_eq!(
        router.channels(),
        [
            "notes:delete",
            "notes:get",
            "notes:list",
            "notes:save",
            "telemetry:track"
        ]
    );
    assert_eq!(
        invoke(&router, 1, "notes:list", json!({})).await,
        json!({"id": 1, "ok": true, "data": []})
    );

    // Create: `tags` may be left out (serde default), `id` too.
    let created = invoke(
        &router,
        2,
        "notes:save",
        json!({"title": "Groceries", "body": "milk"}),
    )
    .await;
    let created_at = created["data"]["updatedAtMs"].clone();
    assert!(created_at.is_u64(), "{created}");
    assert_eq!(
        created,
        json!({"id": 2, "ok": true, "data": {
            "id": 1, "title": "Groceries", "body": "milk", "updatedAtMs": created_at
        }})
    );
    assert_eq!(
        broadcast(&router, &changes),
        [
            json!({"v": 1, "kind": "event", "channel": "notes:changed", "payload": {
                "id": 1, "kind": "created",
                "note": {"id": 1, "title": "Groceries", "body": "milk", "updatedAtMs": created_at}
            }})
        ]
    );

    let updated = invoke(
        &router,
        3,
        "notes:save",
        json!({"id": 1, "title": "Groceries", "body": "milk, eggs", "tags": ["home"]}),
    )
    .await;
    let updated_at = updated["data"]["updatedAtMs"].clone();
    assert!(
        updated_at.as_u64() > created_at.as_u64(),
        "{updated_at} > {created_at}"
    );
    assert_eq!(
        updated["data"],
        json!({"id": 1, "title": "Groceries", "body": "milk, eggs", "tags": ["home"], "updatedAtMs": updated_at})
    );
    assert_eq!(
        broadcast(&router, &changes)[0]["payload"]["kind"],
        "updated"
    );
    assert_eq!(
        invoke(&router, 4, "notes:get", json!({"id": 1})).await["data"]["body"],
        "milk, eggs"
    );
    assert_eq!(
        invoke(&router, 5, "notes:list", json!({})).await["data"],
        json!([{"id": 1, "title": "Groceries", "updatedAtMs": updated_at}])
    );

    // The title is limited to 200 characters (code points, not bytes).
    let long = "ü".repeat(201);
    assert_eq!(
        invoke(
            &router,
            6,
            "notes:save",
            json!({"title": long, "body": "", "tags": ["", "ok"]})
        )
        .await,
        json!({"id": 6, "ok": false, "error": {
            "name": "IPCValidationError", "code": "IPC_VALIDATION_ERROR",
            "message": "Request validation failed: 2 issues", "field": "request",
            "issues": [
                {"path": ["title"], "message": "String must contain at most 200 character(s)", "expected": "length <= 200", "received": "length 201"},
                {"path": ["tags", 0], "message": "String must contain at least 1 character(s)", "expected": "length >= 1", "received": "length 0"}
            ]
        }})
    );
    assert!(
        broadcast(&router, &changes).is_empty(),
        "a refused save changes nothing"
    );
    let exactly = "ü".repeat(200);
    assert_eq!(
        invoke(
            &router,
            7,
            "notes:save",
            json!({"title": exactly, "body": ""})
        )
        .await["ok"],
        true
    );
    broadcast(&router, &changes);

    // Typed errors.
    assert_eq!(
        invoke(&router, 8, "notes:get", json!({"id": 99})).await,
        json!({"id": 8, "ok": false, "error": {
            "name": "IPCHandlerError", "code": "NOT_FOUND", "message": "Note 99 does not exist",
            "statusCode": 404, "details": {"id": 99}
        }})
    );
    assert_eq!(
        invoke(
            &router,
            9,
            "notes:save",
            json!({"id": 42, "title": "x", "body": ""})
        )
        .await["error"]["code"],
        "NOT_FOUND"
    );

    // Delete answers `null` and tells every page.
    assert_eq!(
        invoke(&router, 10, "notes:delete", json!({"id": 1})).await,
        json!({"id": 10, "ok": true, "data": null})
    );
    assert_eq!(
        broadcast(&router, &changes),
        [
            json!({"v": 1, "kind": "event", "channel": "notes:changed", "payload": {"id": 1, "kind": "deleted"}})
        ]
    );
    assert_eq!(
        invoke(&router, 11, "notes:delete", json!({"id": 1})).await["error"]["code"],
        "NOT_FOUND"
    );

    // Telemetry is a send: no reply unless it fails.
    assert_eq!(
        request(
            &router,
            12,
            "send",
            "telemetry:track",
            json!({"type": "pageViewed", "page": "list"})
        )
        .await,
        None
    );
    assert_eq!(
        request(
            &router,
            13,
            "send",
            "telemetry:track",
            json!({"type": "buttonPressed", "button": ""})
        )
        .await,
        Some(json!({"id": 13, "ok": false, "error": {
            "name": "IPCValidationError", "code": "IPC_VALIDATION_ERROR",
            "message": "Request validation failed: 1 issue", "field": "request",
            "issues": [{"path": ["button"], "message": "String must contain at least 1 character(s)", "expected": "length >= 1", "received": "length 0"}]
        }}))
    );
    assert_eq!(
        request(
            &router,
            14,
            "send",
            "telemetry:track",
            json!({"type": "scrolled"})
        )
        .await,
        Some(json!({"id": 14, "ok": false, "error": {
            "name": "IPCValidationError", "code": "IPC_VALIDATION_ERROR",
            "message": "Request validation failed: 1 issue", "field": "request",
            "issues": [{"path": [], "message": "Invalid input: matches none of the allowed shapes", "received": "object"}]
        }}))
    );

    // The renderer cannot invoke an event or send to an invoke channel.
    assert_eq!(
        invoke(
            &router,
            16,
            "notes:changed",
            json!({"id": 1, "kind": "deleted"})
        )
        .await["error"]["code"],
        "IPC_UNKNOWN_CHANNEL"
    );
    assert_eq!(
        request(&router, 17, "send", "notes:list", json!({}))
            .await
            .expect("reply")["error"]["code"],
        "IPC_MALFORMED_REQUEST"
    );

    // What was saved is there after a restart.
    drop(router);
    let (reopened, _) = serve(&dir);
    assert_eq!(
        invoke(&reopened, 18, "notes:list", json!({})).await["data"],
        json!([{"id": 2, "title": "ü".repeat(200), "updatedAtMs": invoke(&reopened, 19, "notes:get", json!({"id": 2})).await["data"]["updatedAtMs"]}])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_beyond_the_safe_range_are_refused_both_ways() {
    let dir = data_dir("unsafe-ids");
    // A notes file written by something else, holding an id JavaScript
    // cannot represent (2^53 + 1).
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("notes.json"),
        json!({"nextId": 6, "notes": {"5": {
            "id": 9_007_199_254_740_993_u64, "title": "big", "body": "", "updatedAtMs": 0
        }}})
        .to_string(),
    )
    .expect("write the notes file");
    let (router, _) = serve(&dir);

    // In: 2^53 + 1 would reach JavaScript as 2^53.
    assert_eq!(
        invoke(
            &router,
            1,
            "notes:get",
            json!({"id": 9_007_199_254_740_993_u64})
        )
        .await["error"]["issues"],
        json!([{"path": ["id"], "message": "Number must be less than or equal to 9007199254740991", "expected": "<= 9007199254740991", "received": "9007199254740993"}])
    );
    // Out: a stored note whose id is too large is never sent.
    let reply = invoke(&router, 2, "notes:get", json!({"id": 5})).await;
    assert_eq!(reply["error"]["field"], "response", "{reply}");
    assert_eq!(reply["error"]["issues"][0]["path"], json!(["id"]));
    let event = NoteChanged {
        id: (1 << 53) + 1,
        kind: notes_contracts::ChangeKind::Deleted,
        note: None,
    };
    assert_eq!(
        router.event(&event).expect_err("an unsafe id").code(),
        "IPC_VALIDATION_ERROR"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

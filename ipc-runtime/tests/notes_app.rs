//! The notes example's main side, served through `Router::dispatch` as a
//! transport would: request bytes in, reply bytes out, event envelopes for
//! broadcast.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use ipc_runtime::{CallContext, CallerIdentity, IpcHandlerError, Router};
use notes_contracts::{
    ChangeKind, DeleteNote, GetNote, ListNotes, Note, NoteChanged, NoteError, NoteSummary,
    SaveNote, TelemetryEvent,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// The app's state: notes in memory, telemetry kept for inspection, and
/// the changes the transport is to broadcast.
struct Notes {
    notes: Mutex<BTreeMap<u64, Note>>,
    next_id: Mutex<u64>,
    clock: Mutex<u64>,
    telemetry: Mutex<Vec<TelemetryEvent>>,
    changes: mpsc::UnboundedSender<NoteChanged>,
}

impl Notes {
    fn tick(&self) -> u64 {
        let mut clock = self.clock.lock().expect("lock");
        *clock += 1000;
        *clock
    }

    fn list(&self) -> Vec<NoteSummary> {
        let notes = self.notes.lock().expect("lock");
        let mut list: Vec<NoteSummary> = notes.values().map(Note::summary).collect();
        list.sort_by_key(|note| std::cmp::Reverse(note.updated_at_ms));
        list
    }

    fn get(&self, id: u64) -> Result<Note, NoteError> {
        let notes = self.notes.lock().expect("lock");
        notes.get(&id).cloned().ok_or(NoteError::NotFound { id })
    }

    fn save(&self, request: SaveNote) -> Result<Note, NoteError> {
        let updated_at_ms = self.tick();
        let (id, kind) = match request.id {
            Some(id) => {
                if !self.notes.lock().expect("lock").contains_key(&id) {
                    return Err(NoteError::NotFound { id });
                }
                (id, ChangeKind::Updated)
            }
            None => {
                let mut next = self.next_id.lock().expect("lock");
                *next += 1;
                (*next, ChangeKind::Created)
            }
        };
        let note = Note {
            id,
            title: request.title,
            body: request.body,
            tags: request.tags,
            updated_at_ms,
        };
        self.notes.lock().expect("lock").insert(id, note.clone());
        self.changes
            .send(NoteChanged {
                id,
                kind,
                note: Some(note.clone()),
            })
            .map_err(|_| NoteError::Storage)?;
        Ok(note)
    }

    fn delete(&self, id: u64) -> Result<(), NoteError> {
        if self.notes.lock().expect("lock").remove(&id).is_none() {
            return Err(NoteError::NotFound { id });
        }
        self.changes
            .send(NoteChanged {
                id,
                kind: ChangeKind::Deleted,
                note: None,
            })
            .map_err(|_| NoteError::Storage)
    }
}

fn app() -> (Router, Arc<Notes>, mpsc::UnboundedReceiver<NoteChanged>) {
    let (changes, receiver) = mpsc::unbounded_channel();
    let notes = Arc::new(Notes {
        notes: Mutex::new(BTreeMap::new()),
        next_id: Mutex::new(0),
        clock: Mutex::new(1_700_000_000_000),
        telemetry: Mutex::new(Vec::new()),
        changes,
    });
    let (a, b, c, d, e) = (
        Arc::clone(&notes),
        Arc::clone(&notes),
        Arc::clone(&notes),
        Arc::clone(&notes),
        Arc::clone(&notes),
    );
    let router = Router::builder()
        .invoke_sync::<ListNotes, _>(move |_ctx, _request| Ok::<_, IpcHandlerError>(a.list()))
        .invoke::<GetNote, _>(move |_ctx, request| {
            let notes = Arc::clone(&b);
            async move { notes.get(request.id) }
        })
        .invoke::<SaveNote, _>(move |_ctx, request| {
            let notes = Arc::clone(&c);
            async move { notes.save(request) }
        })
        .invoke_sync::<DeleteNote, _>(move |_ctx, request| d.delete(request.id))
        .send::<TelemetryEvent, _>(move |ctx: CallContext, event| {
            let notes = Arc::clone(&e);
            async move {
                if ctx.caller().role != "main" {
                    return Err(IpcHandlerError::forbidden(
                        "Only the main window reports usage",
                    ));
                }
                notes.telemetry.lock().expect("lock").push(event);
                Ok(())
            }
        })
        .build()
        .expect("every notes contract has a handler");
    (router, notes, receiver)
}

fn window() -> CallerIdentity {
    CallerIdentity::new(1, "main", "app://notes").with_window(1)
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

/// What the transport would broadcast for each change.
fn broadcast(router: &Router, receiver: &mut mpsc::UnboundedReceiver<NoteChanged>) -> Vec<Value> {
    let mut events = Vec::new();
    while let Ok(change) = receiver.try_recv() {
        let envelope = router.event(&change).expect("valid event");
        events.push(serde_json::from_slice(&envelope).expect("json"));
    }
    events
}

#[tokio::test]
async fn a_session_of_the_notes_app() {
    let (router, notes, mut changes) = app();
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
    assert_eq!(
        invoke(
            &router,
            2,
            "notes:save",
            json!({"title": "Groceries", "body": "milk"})
        )
        .await,
        json!({"id": 2, "ok": true, "data": {
            "id": 1, "title": "Groceries", "body": "milk", "updatedAtMs": 1_700_000_001_000_u64
        }})
    );
    assert_eq!(
        broadcast(&router, &mut changes),
        [
            json!({"v": 1, "kind": "event", "channel": "notes:changed", "payload": {
                "id": 1, "kind": "created",
                "note": {"id": 1, "title": "Groceries", "body": "milk", "updatedAtMs": 1_700_000_001_000_u64}
            }})
        ]
    );

    assert_eq!(
        invoke(
            &router,
            3,
            "notes:save",
            json!({"id": 1, "title": "Groceries", "body": "milk, eggs", "tags": ["home"]})
        )
        .await["data"],
        json!({"id": 1, "title": "Groceries", "body": "milk, eggs", "tags": ["home"], "updatedAtMs": 1_700_000_002_000_u64})
    );
    assert_eq!(
        broadcast(&router, &mut changes)[0]["payload"]["kind"],
        "updated"
    );

    assert_eq!(
        invoke(&router, 4, "notes:get", json!({"id": 1})).await["data"]["body"],
        "milk, eggs"
    );
    assert_eq!(
        invoke(&router, 5, "notes:list", json!({})).await["data"],
        json!([{"id": 1, "title": "Groceries", "updatedAtMs": 1_700_000_002_000_u64}])
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
    broadcast(&router, &mut changes);

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
        broadcast(&router, &mut changes),
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
    let settings = CallerIdentity::new(2, "settings", "app://notes");
    let reply = router
        .dispatch(br#"{"v":1,"id":15,"kind":"send","channel":"telemetry:track","payload":{"type":"pageViewed","page":"settings"}}"#, settings)
        .await
        .expect("a failed send is answered");
    assert_eq!(
        serde_json::from_slice::<Value>(&reply).expect("json")["error"],
        json!({"name": "IPCHandlerError", "code": "IPC_FORBIDDEN", "message": "Only the main window reports usage", "statusCode": 403})
    );
    assert_eq!(
        *notes.telemetry.lock().expect("lock"),
        [TelemetryEvent::PageViewed {
            page: "list".to_owned()
        }]
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
}

#[tokio::test]
async fn ids_beyond_the_safe_range_are_refused_both_ways() {
    let (router, notes, _changes) = app();
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
    notes.notes.lock().expect("lock").insert(
        5,
        Note {
            id: (1 << 53) + 1,
            title: "big".to_owned(),
            body: String::new(),
            tags: Vec::new(),
            updated_at_ms: 0,
        },
    );
    let reply = invoke(&router, 2, "notes:get", json!({"id": 5})).await;
    assert_eq!(reply["error"]["field"], "response");
    assert_eq!(reply["error"]["issues"][0]["path"], json!(["id"]));
    let event = NoteChanged {
        id: (1 << 53) + 1,
        kind: ChangeKind::Deleted,
        note: None,
    };
    assert_eq!(
        router.event(&event).expect_err("unsafe id").code(),
        "IPC_VALIDATION_ERROR"
    );
}

//! The caller's frame (`CallerIdentity::frame`): what the transport reports
//! reaches the handler's `CallContext` and the router's authorizer
//! unchanged, and a caller without one has `None`.

use ipc_runtime::{
    CallContext, CallerFrame, CallerIdentity, ContractKind, IpcHandlerError, Router, contract,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Replies with the frame the handler saw.
#[contract(invoke, response = Option<SeenFrame>)]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct WhichFrame {}

/// Allowed from main frames only, by the authorizer below.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MainFrameOnly {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeenFrame {
    pub process_id: u32,
    pub routing_id: u32,
    pub main_frame: bool,
}

fn seen(context: &CallContext) -> Option<SeenFrame> {
    context.caller().frame.map(|frame| SeenFrame {
        process_id: frame.process_id,
        routing_id: frame.routing_id,
        main_frame: frame.main_frame,
    })
}

fn router() -> Router {
    Router::builder()
        .invoke::<WhichFrame, _>(
            |context, _| async move { Ok::<_, IpcHandlerError>(seen(&context)) },
        )
        .invoke::<MainFrameOnly, _>(|_, _| async move { Ok::<_, IpcHandlerError>(()) })
        .authorize(|caller, channel, kind| {
            assert_eq!(kind, ContractKind::Invoke);
            channel != "callerFrame:mainFrameOnly" || caller.frame.is_some_and(|f| f.main_frame)
        })
        .build()
        .expect("router")
}

async fn call(router: &Router, channel: &str, caller: CallerIdentity) -> Value {
    let request = json!({"v": 1, "id": 1, "kind": "invoke", "channel": channel, "payload": {}});
    let reply = router
        .dispatch(request.to_string().as_bytes(), caller)
        .await
        .expect("an invoke is answered");
    serde_json::from_slice(&reply).expect("reply")
}

fn window() -> CallerIdentity {
    CallerIdentity::new(7, "main", "app://test").with_window(2)
}

const SUBFRAME: CallerFrame = CallerFrame {
    process_id: 4,
    routing_id: 12,
    main_frame: false,
};

#[tokio::test]
async fn the_handler_sees_the_frame_that_called() {
    let router = router();
    let main = CallerFrame {
        process_id: 4,
        routing_id: 1,
        main_frame: true,
    };
    assert_eq!(
        call(&router, "callerFrame:whichFrame", window().with_frame(main)).await,
        json!({"id": 1, "ok": true, "data": {"process_id": 4, "routing_id": 1, "main_frame": true}})
    );
    assert_eq!(
        call(
            &router,
            "callerFrame:whichFrame",
            window().with_frame(SUBFRAME)
        )
        .await,
        json!({"id": 1, "ok": true, "data": {"process_id": 4, "routing_id": 12, "main_frame": false}})
    );
    // A transport without frames (the loopback WebSocket) reports none.
    assert_eq!(
        call(&router, "callerFrame:whichFrame", window()).await,
        json!({"id": 1, "ok": true, "data": null})
    );
}

#[tokio::test]
async fn an_authorizer_can_refuse_a_subframe() {
    let router = router();
    let main = CallerFrame {
        process_id: 4,
        routing_id: 1,
        main_frame: true,
    };
    assert_eq!(
        call(
            &router,
            "callerFrame:mainFrameOnly",
            window().with_frame(main)
        )
        .await["ok"],
        json!(true)
    );
    for caller in [window().with_frame(SUBFRAME), window()] {
        assert_eq!(
            call(&router, "callerFrame:mainFrameOnly", caller).await["error"]["code"],
            json!("IPC_FORBIDDEN")
        );
    }
}

#[test]
fn the_frame_is_part_of_the_identity() {
    let frame = CallerFrame {
        process_id: 4,
        routing_id: 1,
        main_frame: true,
    };
    assert_eq!(window().with_frame(frame).frame, Some(frame));
    assert_ne!(window().with_frame(frame), window().with_frame(SUBFRAME));
    assert_eq!(window().frame, None);
}

//! `#[contracts]`: the generated trait has one method per invoke and send
//! contract of its module, and `add_to` routes each contract to its method.
//!
//! (That a missing method does not compile is a trybuild case of
//! `ipc-macros`: `tests/ui/contracts_missing_handler.rs`.)

use std::sync::{Arc, Mutex};

use ipc_runtime::{CallContext, CallerIdentity, HandlerFailure, IpcHandlerError, Router};
use serde_json::{Value, json};

#[ipc_runtime::contracts(handlers = ShelfHandlers)]
pub mod shelf {
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// Looks a book up by its number.
    #[ipc_runtime::contract(invoke, response = Book, error = ShelfError)]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct FindBook {
        pub number: u32,
    }

    /// Counts the books (no typed error).
    #[ipc_runtime::contract(invoke, response = u32)]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct CountBooks {}

    /// Notes that a book was opened: no reply.
    #[ipc_runtime::contract(send)]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub enum BookOpened {
        Number(u32),
    }

    /// Flows to the renderer: no handler, so no method.
    #[ipc_runtime::contract(event)]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct ShelfChanged {
        pub count: u32,
    }

    /// Compiled out: neither its contract nor its method exist.
    #[cfg(any())]
    #[ipc_runtime::contract(invoke, response = ())]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct Hidden {}

    #[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
    pub struct Book {
        pub number: u32,
        pub title: String,
    }

    #[ipc_runtime::contract_error]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub enum ShelfError {
        /// No book has this number.
        #[ipc(status = 404)]
        NoSuchBook { number: u32 },
    }
}

use shelf::{Book, BookOpened, CountBooks, FindBook, ShelfError, ShelfHandlers};

#[derive(Default)]
struct Library {
    opened: Mutex<Vec<u32>>,
}

impl ShelfHandlers for Library {
    async fn find_book(
        &self,
        _: CallContext,
        request: FindBook,
    ) -> Result<Book, HandlerFailure<ShelfError>> {
        match request.number {
            1 => Ok(Book {
                number: 1,
                title: "Dune".to_owned(),
            }),
            // A panic on the blocking pool is the handler's panic.
            99 => ipc_runtime::blocking(|| panic!("the shelf fell over")).await,
            13 => Err(IpcHandlerError::new("SHELF_LOCKED", "the shelf is locked")
                .with_status(423)
                .into()),
            number => Err(ShelfError::NoSuchBook { number }.into()),
        }
    }

    async fn count_books(&self, _: CallContext, _: CountBooks) -> Result<u32, IpcHandlerError> {
        Ok(1)
    }

    async fn book_opened(
        &self,
        _: CallContext,
        request: BookOpened,
    ) -> Result<(), IpcHandlerError> {
        let BookOpened::Number(number) = request;
        self.opened.lock().expect("not poisoned").push(number);
        Ok(())
    }
}

async fn call(router: &Router, channel: &str, kind: &str, payload: Value) -> Option<Value> {
    let request = json!({"v": 1, "id": 1, "kind": kind, "channel": channel, "payload": payload});
    let reply = router
        .dispatch(
            request.to_string().as_bytes(),
            CallerIdentity::new(1, "main", "app://test"),
        )
        .await?;
    Some(serde_json::from_slice(&reply).expect("a reply is JSON"))
}

#[tokio::test]
async fn every_contract_reaches_its_method() {
    let library = Arc::new(Library::default());
    // Handlers in an `Arc` are handlers too, so the test keeps a reference.
    let router = Arc::clone(&library)
        .add_to(Router::builder())
        .build()
        .expect("every contract has its handler");

    let mut channels = router.channels();
    channels.sort_unstable();
    assert_eq!(
        channels,
        ["shelf:bookOpened", "shelf:countBooks", "shelf:findBook"]
    );

    assert_eq!(
        call(&router, "shelf:findBook", "invoke", json!({"number": 1})).await,
        Some(json!({"id": 1, "ok": true, "data": {"number": 1, "title": "Dune"}}))
    );
    assert_eq!(
        call(&router, "shelf:findBook", "invoke", json!({"number": 7})).await,
        Some(json!({"id": 1, "ok": false, "error": {
            "name": "IPCHandlerError",
            "code": "NO_SUCH_BOOK",
            "message": "No book has this number.",
            "statusCode": 404,
            "details": {"number": 7}
        }}))
    );
    assert_eq!(
        call(&router, "shelf:findBook", "invoke", json!({"number": 13})).await,
        Some(json!({"id": 1, "ok": false, "error": {
            "name": "IPCHandlerError",
            "code": "SHELF_LOCKED",
            "message": "the shelf is locked",
            "statusCode": 423
        }}))
    );
    let panicked = call(&router, "shelf:findBook", "invoke", json!({"number": 99}))
        .await
        .expect("an invoke gets a reply");
    assert_eq!(panicked["error"]["code"], "INTERNAL_ERROR");
    assert!(
        !panicked.to_string().contains("fell over"),
        "the panic message stays on the main side: {panicked}"
    );
    assert_eq!(
        call(&router, "shelf:countBooks", "invoke", json!({})).await,
        Some(json!({"id": 1, "ok": true, "data": 1}))
    );
    assert_eq!(
        call(&router, "shelf:bookOpened", "send", json!({"Number": 5})).await,
        None
    );
    assert_eq!(*library.opened.lock().expect("not poisoned"), [5]);

    // The payload is validated before the method runs.
    let invalid = call(
        &router,
        "shelf:findBook",
        "invoke",
        json!({"number": "one"}),
    )
    .await
    .expect("an invoke gets a reply");
    assert_eq!(invalid["error"]["name"], "IPCValidationError");
    assert_eq!(invalid["error"]["issues"][0]["path"], json!(["number"]));
}

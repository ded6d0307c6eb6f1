//! Events from main to every open connection.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::connection::utf8_frame;
use super::server::{Shared, lock};
use crate::contract::EventContract;
use crate::wire::IpcError;

/// Sends event envelopes to the renderer.
#[derive(Debug, Clone)]
pub struct EventEmitter {
    pub(super) shared: Arc<Shared>,
}

impl EventEmitter {
    /// Validates and broadcasts `payload` to every open connection; returns
    /// how many connections it was queued for. A connection whose queue is
    /// full is closed (the client sees a disconnect and can resynchronize)
    /// rather than silently missing the event.
    pub fn emit<E: EventContract>(&self, payload: &E) -> Result<usize, IpcError> {
        let envelope = self.shared.router.event(payload)?;
        // One shared buffer for every connection (clones are reference counts).
        let text = utf8_frame(envelope);
        let mut connections = lock(&self.shared.connections);
        let mut delivered = 0;
        connections.retain(|id, connection| {
            match connection.outbound.try_send(Message::Text(text.clone())) {
                Ok(()) => {
                    delivered += 1;
                    true
                }
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(
                        connection = id,
                        "IPC connection does not read its events; closing it"
                    );
                    connection.closing.cancel();
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
        Ok(delivered)
    }
}

//! Events from main to every open connection.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::server::{Connection, Shared, lock};
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
        // One shared buffer for every connection (clones are reference counts).
        let text: Utf8Bytes = self.shared.router.event_text(payload)?.into();
        let mut connections = lock(&self.shared.connections);
        let mut delivered = 0;
        connections.retain(|&id, connection| {
            let kept = offer(id, connection, Message::Text(text.clone()));
            delivered += usize::from(kept);
            kept
        });
        Ok(delivered)
    }

    /// Validates `payload` and sends it to the one connection whose
    /// [`CallerIdentity::connection_id`](crate::CallerIdentity::connection_id)
    /// is `connection_id` (the caller of a handler, say); returns whether
    /// that connection was open to take it. As with [`emit`](Self::emit), a
    /// connection whose queue is full is closed.
    pub fn emit_to<E: EventContract>(
        &self,
        connection_id: u64,
        payload: &E,
    ) -> Result<bool, IpcError> {
        let envelope = self.shared.router.event_text(payload)?;
        let mut connections = lock(&self.shared.connections);
        let Some(connection) = connections.get(&connection_id) else {
            return Ok(false);
        };
        let kept = offer(connection_id, connection, Message::Text(envelope.into()));
        if !kept {
            connections.remove(&connection_id);
        }
        Ok(kept)
    }
}

/// Queues `message` on `connection`; false when the connection is to be
/// forgotten: closed already, or closed now because its client lets its
/// queue fill (it sees a disconnect and can resynchronize, rather than
/// silently missing the event).
fn offer(id: u64, connection: &Connection, message: Message) -> bool {
    match connection.outbound.try_send(message) {
        Ok(()) => true,
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
}

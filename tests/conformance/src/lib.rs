//! The main side of the transport conformance suite (`tests/conformance/`,
//! `docs/conformance.md`): its contracts and their handlers, shared by every
//! shell that runs the suite.
//!
//! A shell builds a [`Router`] with [`ConformanceService::router`] and tells
//! the service how to reach its windows with [`ConformanceService::on_event`];
//! the handlers never know which shell carries them.

pub mod contracts;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use ipc_runtime::{
    BuildError, CallContext, CallerIdentity, ContractKind, HandlerFailure, IpcHandlerError, Router,
    RouterBuilder,
};
use tokio::sync::Notify;

pub use contracts::*;

/// The largest request the suite's router accepts, small enough to test.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// How deep the suite's router lets payloads nest.
pub const MAX_DEPTH: usize = 8;
/// The timeout of `conformance:stall`.
pub const STALL_TIMEOUT: Duration = Duration::from_millis(250);
/// The timeout of `conformance:waitTicket`: a guard, so that a ticket that
/// never reaches its stage fails the case instead of hanging it.
pub const WAIT_TICKET_TIMEOUT: Duration = Duration::from_secs(10);
/// The channel the router's authorizer refuses to every caller.
pub const RESTRICTED_CHANNEL: &str = "conformance:restricted";
/// Tickets (and recorded tags) kept at most: the callers are untrusted.
const MAX_TICKETS: usize = 4096;

/// Who a [`Pinged`] event goes to.
#[derive(Debug, Clone, Copy)]
pub enum EventTarget<'a> {
    /// Every window (connection) the shell serves.
    All,
    /// Only the window (connection) that made the call.
    Caller(&'a CallerIdentity),
}

/// How a shell delivers the suite's events; `Err` says why it could not.
pub type EventListener = Box<dyn Fn(EventTarget<'_>, &Pinged) -> Result<(), String> + Send + Sync>;

#[derive(Debug, Default, Clone, Copy)]
struct TicketState {
    started: bool,
    cancelled: bool,
}

struct State {
    events: OnceLock<EventListener>,
    tickets: Mutex<HashMap<String, TicketState>>,
    ticket_changed: Notify,
    recorded: Mutex<Vec<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    fn update(
        &self,
        ticket: &str,
        change: impl FnOnce(&mut TicketState),
    ) -> Result<(), IpcHandlerError> {
        {
            let mut tickets = lock(&self.tickets);
            if !tickets.contains_key(ticket) && tickets.len() >= MAX_TICKETS {
                return Err(too_many("tickets"));
            }
            change(tickets.entry(ticket.to_owned()).or_default());
        }
        self.ticket_changed.notify_waiters();
        Ok(())
    }

    fn report(&self, ticket: &str) -> TicketReport {
        let state = lock(&self.tickets).get(ticket).copied().unwrap_or_default();
        TicketReport {
            ticket: ticket.to_owned(),
            started: state.started,
            cancelled: state.cancelled,
        }
    }
}

/// Marks the ticket started, then waits for the call's cancellation, which
/// marks it cancelled. The router drops a handler's future when it times out
/// or is cancelled, so the mark is made by a task of its own that outlives
/// the handler, watching a clone of its token.
async fn hold(
    state: &Arc<State>,
    context: &CallContext,
    ticket: String,
) -> Result<(), IpcHandlerError> {
    state.update(&ticket, |ticket| ticket.started = true)?;
    let token = context.cancellation().clone();
    let watcher = Arc::clone(state);
    tokio::spawn(async move {
        token.cancelled().await;
        // The ticket is already kept, so this cannot hit the cap.
        let _ = watcher.update(&ticket, |ticket| ticket.cancelled = true);
    });
    std::future::pending().await
}

fn too_many(what: &str) -> IpcHandlerError {
    IpcHandlerError::new(
        "TOO_MANY",
        format!("The suite keeps at most {MAX_TICKETS} {what}"),
    )
    .with_status(429)
}

/// The suite's handlers, one method per contract. Cloning shares their
/// state.
#[derive(Clone)]
pub struct ConformanceService(Arc<State>);

impl std::fmt::Debug for ConformanceService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConformanceService")
            .field("events_set", &self.0.events.get().is_some())
            .finish_non_exhaustive()
    }
}

impl Default for ConformanceService {
    fn default() -> Self {
        Self::new()
    }
}

impl ConformanceService {
    pub fn new() -> ConformanceService {
        ConformanceService(Arc::new(State {
            events: OnceLock::new(),
            tickets: Mutex::new(HashMap::new()),
            ticket_changed: Notify::new(),
            recorded: Mutex::new(Vec::new()),
        }))
    }

    /// A builder with every handler, the suite's limits, timeouts and
    /// authorizer: for a shell that adds settings of its own before
    /// `build()`.
    pub fn builder(&self) -> RouterBuilder {
        self.clone()
            .add_to(Router::builder())
            .max_request_bytes(MAX_REQUEST_BYTES)
            .max_depth(MAX_DEPTH)
            .contract_timeout::<Stall>(Some(STALL_TIMEOUT))
            .contract_timeout::<WaitTicket>(Some(WAIT_TICKET_TIMEOUT))
            .authorize(|_: &CallerIdentity, channel: &str, _: ContractKind| {
                channel != RESTRICTED_CHANNEL
            })
    }

    /// A router serving the suite's contracts with these handlers.
    pub fn router(&self) -> Result<Router, BuildError> {
        self.builder().build()
    }

    /// Sets how events reach the shell's windows; only the first listener
    /// set is kept. Until it is set, `conformance:emitPing` fails.
    pub fn on_event(&self, listener: EventListener) -> Result<(), EventListener> {
        self.0.events.set(listener)
    }
}

impl ConformanceHandlers for ConformanceService {
    async fn echo(&self, _: CallContext, request: Echo) -> Result<Echoed, IpcHandlerError> {
        Ok(Echoed {
            item_count: u32::try_from(request.items.len()).unwrap_or(u32::MAX),
            label: request.label,
            items: request.items,
            note: request.note,
        })
    }

    async fn fail(
        &self,
        _: CallContext,
        request: Fail,
    ) -> Result<(), HandlerFailure<ConformanceError>> {
        Err(match request.case {
            FailCase::NotFound => ConformanceError::NotFound { id: request.id },
            FailCase::Quota => ConformanceError::QuotaExceeded { limit: 3, used: 4 },
            FailCase::Locked => ConformanceError::Locked,
        }
        .into())
    }

    async fn numbers(
        &self,
        _: CallContext,
        request: Numbers,
    ) -> Result<NumbersReply, IpcHandlerError> {
        Ok(NumbersReply {
            // u64::MAX is past 2^53 - 1: main must refuse to send it.
            unsigned: if request.unsafe_reply {
                u64::MAX
            } else {
                request.unsigned
            },
            signed: request.signed,
            optional: request.optional,
            nullable: request.optional,
        })
    }

    async fn record(&self, _: CallContext, request: Record) -> Result<(), IpcHandlerError> {
        let mut recorded = lock(&self.0.recorded);
        if recorded.len() >= MAX_TICKETS {
            return Err(too_many("tags"));
        }
        // Marked as a ticket too, so that a caller can wait for it.
        self.0.update(&request.tag, |state| state.started = true)?;
        recorded.push(request.tag);
        Ok(())
    }

    async fn recorded(&self, _: CallContext, _: Recorded) -> Result<Vec<String>, IpcHandlerError> {
        Ok(lock(&self.0.recorded).clone())
    }

    async fn emit_ping(
        &self,
        context: CallContext,
        request: EmitPing,
    ) -> Result<(), IpcHandlerError> {
        let Some(listener) = self.0.events.get() else {
            return Err(IpcHandlerError::new(
                "EVENTS_UNAVAILABLE",
                "The shell set no event listener",
            )
            .with_status(503));
        };
        let target = match request.audience {
            Audience::All => EventTarget::All,
            Audience::Caller => EventTarget::Caller(context.caller()),
        };
        let event = Pinged {
            seq: request.seq,
            audience: request.audience,
        };
        listener(target, &event).map_err(|reason| {
            IpcHandlerError::new(
                "EVENT_NOT_DELIVERED",
                format!("The shell could not emit the event: {reason}"),
            )
            .with_status(503)
        })
    }

    async fn explode(&self, _: CallContext, _: Explode) -> Result<(), IpcHandlerError> {
        panic!("the conformance handler panics on purpose")
    }

    async fn stall(&self, context: CallContext, request: Stall) -> Result<(), IpcHandlerError> {
        hold(&self.0, &context, request.ticket).await
    }

    async fn hang(&self, context: CallContext, request: Hang) -> Result<(), IpcHandlerError> {
        hold(&self.0, &context, request.ticket).await
    }

    async fn mark(&self, _: CallContext, request: Mark) -> Result<(), IpcHandlerError> {
        self.0.update(&request.ticket, |state| state.started = true)
    }

    async fn ticket(
        &self,
        _: CallContext,
        request: Ticket,
    ) -> Result<TicketReport, IpcHandlerError> {
        Ok(self.0.report(&request.ticket))
    }

    async fn wait_ticket(
        &self,
        _: CallContext,
        request: WaitTicket,
    ) -> Result<TicketReport, IpcHandlerError> {
        loop {
            let changed = self.0.ticket_changed.notified();
            let mut changed = std::pin::pin!(changed);
            // Registered before the state is read, so no change is missed.
            changed.as_mut().enable();
            let report = self.0.report(&request.ticket);
            let reached = match request.until {
                TicketStage::Started => report.started,
                TicketStage::Cancelled => report.cancelled,
            };
            if reached {
                return Ok(report);
            }
            changed.await;
        }
    }

    async fn guarded(&self, _: CallContext, _: Guarded) -> Result<(), IpcHandlerError> {
        Err(IpcHandlerError::forbidden(
            "This caller may not use the guarded contract",
        ))
    }

    async fn restricted(&self, _: CallContext, request: Restricted) -> Result<(), IpcHandlerError> {
        // Only reached if the authorizer let the call through.
        self.0.update(&request.ticket, |state| state.started = true)
    }

    async fn get_limits(&self, _: CallContext, _: GetLimits) -> Result<Limits, IpcHandlerError> {
        Ok(Limits {
            max_request_bytes: MAX_REQUEST_BYTES as u64,
            max_depth: MAX_DEPTH as u32,
            stall_timeout_ms: STALL_TIMEOUT.as_millis() as u32,
            restricted_channel: RESTRICTED_CHANNEL.to_owned(),
        })
    }
}

//! The naming rules (defined once in `ipc_meta::naming`): a contract's
//! default channel, namespace and method, the case conversions and the
//! checks of channels, TypeScript names and error codes.

pub use ipc_meta::naming::*;

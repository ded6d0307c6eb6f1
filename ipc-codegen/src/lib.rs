//! The library behind the `ipc-codegen` command line: manifest extraction
//! and TypeScript generation.

pub mod extract;
pub mod generate;
mod mapper;
mod names;
pub mod output;
pub mod tauri_acl;
mod ts;
mod wide;

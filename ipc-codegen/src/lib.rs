//! The library behind the `ipc-codegen` command line: manifest extraction
//! and TypeScript generation.

pub mod extract;
pub mod generate;
mod mapper;
mod names;
pub mod output;
mod ts;
mod wide;

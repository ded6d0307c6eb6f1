//! The library behind the `ipc-codegen` command line: manifest extraction
//! and TypeScript generation.

pub mod extract;

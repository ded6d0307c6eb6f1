//! `ipc-codegen`: turns ipc-contracts contracts into TypeScript.

use ipc_codegen::extract;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ipc_runtime::Manifest;

#[derive(Parser)]
#[command(
    name = "ipc-codegen",
    version,
    about = "Generates typed, validated TypeScript IPC bindings from Rust contracts",
    after_help = "Examples:\n  ipc-codegen manifest --crate contracts/\n  ipc-codegen generate --crate contracts/ --out renderer/src/ipc\n  ipc-codegen check --crate contracts/ --out renderer/src/ipc"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prints the manifest of a contracts crate as JSON on stdout.
    #[command(
        after_help = "Example:\n  ipc-codegen manifest --crate examples/notes/contracts > manifest.json"
    )]
    Manifest {
        #[command(flatten)]
        input: Input,
    },
}

/// Where the contracts come from.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct Input {
    /// The directory of the contracts crate (built, never run).
    #[arg(long = "crate", value_name = "DIR")]
    crate_dir: Option<PathBuf>,
    /// A manifest file written by `ipc-codegen manifest`.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
}

impl Input {
    fn load(&self) -> Result<Manifest, String> {
        if let Some(dir) = &self.crate_dir {
            return extract::manifest_of_crate(dir).map_err(|error| error.to_string());
        }
        let path = self
            .manifest
            .as_ref()
            .ok_or("pass --crate <DIR> or --manifest <FILE>")?;
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|error| format!("{} is not a valid manifest: {error}", path.display()))?;
        if manifest.manifest_version != ipc_runtime::MANIFEST_VERSION {
            return Err(format!(
                "{} has manifest version {}, this ipc-codegen reads version {}",
                path.display(),
                manifest.manifest_version,
                ipc_runtime::MANIFEST_VERSION
            ));
        }
        Ok(manifest)
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Manifest { input } => {
            let manifest = input.load()?;
            let json =
                serde_json::to_string_pretty(&manifest).map_err(|error| error.to_string())?;
            println!("{json}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

//! `ipc-codegen`: turns ipc-contracts contracts into TypeScript.

use ipc_codegen::extract;
use ipc_codegen::generate::{self, Options, Target};
use ipc_codegen::output;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ipc_meta::Manifest;

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
    /// Writes the TypeScript bindings into a directory.
    ///
    /// Always writes types.ts, api.ts, errors.ts, transport.ts,
    /// transport.ws.ts and schemas.json; `--target electron` adds main.electron.ts,
    /// preload.electron.ts, renderer.electron.ts and window.d.ts; `--target tauri` adds
    /// transport.tauri.ts and permissions.tauri.toml. Files are only rewritten when
    /// their contents change; generated files that are no longer produced
    /// are removed.
    #[command(after_help = "Examples:\n  \
        ipc-codegen generate --crate examples/notes/contracts --out examples/notes/renderer/src/ipc --target electron\n  \
        ipc-codegen generate --manifest manifest.json --out src/ipc --api-name notesApi --target electron")]
    Generate {
        #[command(flatten)]
        input: Input,
        #[command(flatten)]
        generation: Generation,
    },
    /// Checks that a directory holds exactly the bindings `generate` would
    /// write: exits with 1 and lists every stale, missing or extra file
    /// otherwise. Extra files are files carrying the generated header that
    /// would not be generated.
    #[command(after_help = "Example (CI):\n  \
        ipc-codegen check --crate examples/notes/contracts --out examples/notes/renderer/src/ipc --target electron")]
    Check {
        #[command(flatten)]
        input: Input,
        #[command(flatten)]
        generation: Generation,
    },
}

/// What to generate, and where.
#[derive(Args)]
struct Generation {
    /// The directory of the generated files.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The name of the global the Electron preload defines (`window.<NAME>`).
    #[arg(long, value_name = "NAME", default_value = generate::DEFAULT_API_NAME, value_parser = parse_api_name)]
    api_name: String,
    /// A platform to generate for, in addition to the core files; repeat
    /// for several.
    #[arg(long = "target", value_name = "TARGET")]
    targets: Vec<TargetArg>,
}

#[derive(Clone, Copy, ValueEnum)]
enum TargetArg {
    /// An Electron preload and the renderer side of its bridge.
    Electron,
    /// A transport over Tauri 2's IPC and the `ipc` plugin's ACL permissions.
    Tauri,
}

fn parse_api_name(name: &str) -> Result<String, String> {
    generate::check_api_name(name).map(|()| name.to_owned())
}

impl Generation {
    fn options(&self) -> Options {
        let targets: BTreeSet<Target> = self
            .targets
            .iter()
            .map(|target| match target {
                TargetArg::Electron => Target::Electron,
                TargetArg::Tauri => Target::Tauri,
            })
            .collect();
        Options {
            api_name: self.api_name.clone(),
            targets,
        }
    }
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
        if manifest.manifest_version != ipc_meta::MANIFEST_VERSION {
            return Err(format!(
                "{} has manifest version {}, this ipc-codegen reads version {}",
                path.display(),
                manifest.manifest_version,
                ipc_meta::MANIFEST_VERSION
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
        Command::Generate { input, generation } => {
            let manifest = input.load()?;
            let files = generate::generate(&manifest, &generation.options())
                .map_err(|error| error.to_string())?;
            let report = output::write(&generation.out, &files)?;
            println!(
                "{}: {} written, {} unchanged{}",
                generation.out.display(),
                report.written.len(),
                report.unchanged.len(),
                if report.removed.is_empty() {
                    String::new()
                } else {
                    format!(", removed {}", report.removed.join(", "))
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { input, generation } => {
            let manifest = input.load()?;
            let files = generate::generate(&manifest, &generation.options())
                .map_err(|error| error.to_string())?;
            let report = output::check(&generation.out, &files)?;
            if report.is_up_to_date() {
                println!(
                    "{}: up to date ({} files)",
                    generation.out.display(),
                    files.len()
                );
                Ok(ExitCode::SUCCESS)
            } else {
                print!("{report}");
                eprintln!(
                    "error: the bindings in {} are out of date: run `ipc-codegen generate` with the same options",
                    generation.out.display()
                );
                Ok(ExitCode::FAILURE)
            }
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

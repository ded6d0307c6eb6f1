#!/usr/bin/env python3
"""What contracts cost to build: the incremental build after a one-line edit.

For each size N it writes two contracts crates with the same N types:

- floor: the types with their serde and schemars derives only;
- ipc:   the same types declared as contracts (`#[contracts]` modules,
         `#[contract]`, `#[contract_error]`), as a user writes them.

It builds both once (dependencies, first build), then in every round edits
one line of one contract (a string's `max` length, so the schema changes
too) and measures with `/usr/bin/time -v`, each step after its own edit:

- `cargo build` of the floor crate;
- `cargo build` of the ipc crate;
- `ipc-codegen generate --crate` of the ipc crate (the harness build and
  the generation), with the release binary.

Every crate shares one target directory, so dependencies are compiled once.
It prints one line per measurement (wall time, CPU time of every process,
peak resident memory of the largest one: rustc) and a table of medians; `--json FILE`
writes every measurement. The generated crates are deleted at the end
unless `--keep` is given (their target directory is kept for the next run;
delete it with `rm -rf target/bench-build`).

    python3 scripts/bench-build.py --sizes 100,1000 --rounds 3
    nice python3 scripts/bench-build.py --sizes 5000 --rounds 1 --jobs 1

`--root DIR` takes the runtime and the code generator from another checkout
of the project (to measure an older version against the same crates).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ERRORS = 20
PER_MODULE = 20


def contract_kind(i):
    return {0: "event", 1: "send"}.get(i % 10, "invoke")


def write_crate(directory, n, flavour, runtime):
    """Writes a crate of `n` types; `flavour` is "floor" or "ipc"."""
    ipc = flavour == "ipc"
    src = directory / "src"
    src.mkdir(parents=True, exist_ok=True)
    deps = [
        'serde = { version = "1", features = ["derive"] }',
        'schemars = { version = "1.2", features = ["preserve_order"] }',
    ]
    if ipc:
        deps.append(f'ipc-contracts-runtime = {{ path = "{runtime}" }}')
    (directory / "Cargo.toml").write_text(
        f'[package]\nname = "bench-{flavour}-{n}"\nversion = "0.0.0"\nedition = "2024"\n'
        "publish = false\n\n[dependencies]\n" + "\n".join(deps) + "\n\n[workspace]\n"
    )
    out = [
        "//! Written by scripts/bench-build.py.",
        "#![allow(dead_code)]",
        "",
        "pub mod common {",
        "    use schemars::JsonSchema;",
        "    use serde::{Deserialize, Serialize};",
        "",
        "    /// A shared record.",
        "    #[derive(Serialize, Deserialize, JsonSchema)]",
        "    pub struct Shared {",
        "        pub label: String,",
        "        pub weight: Option<f64>,",
        "    }",
        "",
        "    /// A kind.",
        "    #[derive(Serialize, Deserialize, JsonSchema)]",
        "    #[serde(rename_all = \"lowercase\")]",
        "    pub enum Kind {",
        "        A,",
        "        B,",
        "        C,",
        "    }",
        "",
    ]
    for e in range(ERRORS):
        if ipc:
            out.append("    #[ipc_runtime::contract_error]")
        out += [
            "    #[derive(Serialize, Deserialize, JsonSchema)]",
            f"    pub enum Error{e} {{",
            "        /// Missing.",
            *(["        #[ipc(status = 404)]"] if ipc else []),
            "        NotFound { id: u64 },",
            "        /// In conflict.",
            "        Conflict { label: String },",
            "        Busy,",
            "    }",
            "",
        ]
    out.append("}")
    modules = max(1, (n + PER_MODULE - 1) // PER_MODULE)
    for m in range(modules):
        out.append("")
        if ipc:
            out.append(f"#[ipc_runtime::contracts(handlers = Ns{m}Handlers)]")
        out += [
            f"pub mod ns{m} {{",
            "    use super::common::*;",
            "    use schemars::JsonSchema;",
            "    use serde::{Deserialize, Serialize};",
            "    use std::collections::BTreeMap;",
        ]
        for i in range(m * PER_MODULE, min(n, (m + 1) * PER_MODULE)):
            kind = contract_kind(i)
            out.append("")
            out.append(f"    /// Operation {i}.")
            if ipc:
                if kind == "invoke":
                    out.append(
                        f"    #[ipc_runtime::contract(invoke, response = Op{i}Reply, error = Error{i % ERRORS})]"
                    )
                else:
                    out.append(f"    #[ipc_runtime::contract({kind})]")
            marker = "  // bench-edit" if i == n // 2 else ""
            out += [
                "    #[derive(Serialize, Deserialize, JsonSchema)]",
                f"    pub struct Op{i} {{",
                "        pub id: u64,",
                "        /// The name.",
                f"        #[schemars(length(max = 100))]{marker}",
                "        pub name: String,",
                "        pub tags: Vec<String>,",
                "        pub shared: Option<Shared>,",
                "        pub kind: Kind,",
                "        pub extra: BTreeMap<String, i32>,",
                "    }",
            ]
            if kind == "invoke":
                out += [
                    "",
                    "    #[derive(Serialize, Deserialize, JsonSchema)]",
                    f"    pub struct Op{i}Reply {{",
                    "        pub id: u64,",
                    "        pub label: String,",
                    "        pub done: bool,",
                    "    }",
                ]
        out.append("}")
    (src / "lib.rs").write_text("\n".join(out) + "\n")


EDIT = re.compile(r"length\(max = (\d+)\)\)\]  // bench-edit")


def edit(directory):
    """The one-line edit: the marked string's `max` goes 100 -> 101 -> 100."""
    lib = directory / "src" / "lib.rs"
    text = lib.read_text()
    match = EDIT.search(text)
    value = "101" if match.group(1) == "100" else "100"
    lib.write_text(text[: match.start(1)] + value + text[match.end(1):])


def timed(command, env, cwd):
    """Runs `command` under /usr/bin/time -v: (wall seconds, CPU seconds,
    max RSS in MiB). The CPU time (user + system, of every process) moves
    less than the wall time when other work shares the machine."""
    result = subprocess.run(
        ["/usr/bin/time", "-v", *command],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"failed: {' '.join(map(str, command))}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    hours, minutes, seconds = wall.groups()
    seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    cpu = sum(
        float(re.search(rf"{what} time \(seconds\): ([\d.]+)", result.stderr).group(1))
        for what in ("User", "System")
    )
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    return seconds, cpu, rss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--work", type=Path, default=None, help="default: <root>/target/bench-build")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--steps",
        default="floor,ipc,generate",
        help="which of floor (build), ipc (build) and generate (--crate) to measure",
    )
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    root = args.root.resolve()
    work = (args.work or root / "target" / "bench-build").resolve()
    target = work / "target"
    env = dict(os.environ, CARGO_TARGET_DIR=str(target), CARGO_BUILD_JOBS=str(args.jobs))
    env.pop("CARGO_INCREMENTAL", None)

    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "ipc-codegen", "--target-dir", str(target)],
        cwd=root,
        env=env,
        check=True,
    )
    codegen = target / "release" / "ipc-codegen"
    lock = root / "Cargo.lock"

    results = []
    for n in [int(size) for size in args.sizes.split(",")]:
        crates = {}
        for flavour in ("floor", "ipc"):
            directory = work / f"{flavour}-{n}"
            write_crate(directory, n, flavour, root / "ipc-runtime")
            shutil.copy(lock, directory / "Cargo.lock")
            crates[flavour] = directory
        out = work / f"bindings-{n}"
        chosen = args.steps.split(",")
        steps = [
            ("floor build", crates["floor"], ["cargo", "build", "--quiet"], "floor"),
            ("ipc build", crates["ipc"], ["cargo", "build", "--quiet"], "ipc"),
            (
                "ipc generate --crate",
                crates["ipc"],
                [str(codegen), "generate", "--crate", str(crates["ipc"]), "--out", str(out)],
                "generate",
            ),
        ]
        steps = [step[:3] for step in steps if step[3] in chosen]
        # The first build of each: dependencies, the crate, the harness.
        for name, directory, command in steps:
            seconds, cpu, rss = timed(command, env, directory)
            print(f"N={n} first {name}: {seconds:.1f} s, CPU {cpu:.1f} s, {rss:.0f} MiB", flush=True)
        for round_ in range(args.rounds):
            for name, directory, command in steps:
                edit(directory)
                seconds, cpu, rss = timed(command, env, directory)
                results.append(
                    {"n": n, "step": name, "round": round_, "seconds": seconds, "cpu_seconds": cpu, "max_rss_mib": rss}
                )
                print(f"N={n} round {round_ + 1} {name}: {seconds:.1f} s, CPU {cpu:.1f} s, {rss:.0f} MiB", flush=True)
        if not args.keep:
            for directory in (*crates.values(), out):
                shutil.rmtree(directory, ignore_errors=True)

    print("\n| N | step | wall | CPU | max RSS | wall / floor | CPU / floor | RSS / floor |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in sorted({r["n"] for r in results}):
        medians = {}
        for step in ("floor build", "ipc build", "ipc generate --crate"):
            rows = [r for r in results if r["n"] == n and r["step"] == step]
            if not rows:
                continue
            medians[step] = tuple(
                statistics.median(r[key] for r in rows) for key in ("seconds", "cpu_seconds", "max_rss_mib")
            )
        floor = medians.get("floor build")
        for step, (seconds, cpu, rss) in medians.items():
            ratios = (
                f"{seconds / floor[0]:.2f}× | {cpu / floor[1]:.2f}× | {rss / floor[2]:.2f}×"
                if floor
                else "- | - | -"
            )
            print(f"| {n:,} | {step} | {seconds:.1f} s | {cpu:.1f} s | {rss:,.0f} MiB | {ratios} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

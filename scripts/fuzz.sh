#!/usr/bin/env bash
# Builds the fuzz targets of fuzz/ with libFuzzer on the pinned stable
# toolchain (SanitizerCoverage through codegen flags, no nightly) and runs
# each for a bounded time on its committed seed corpus.
#
#   scripts/fuzz.sh                 # every target, 25 s each
#   scripts/fuzz.sh 300 envelope    # one target, 5 minutes
#   scripts/fuzz.sh lint            # cargo fmt --check and clippy -D warnings
#
# New inputs go to target/fuzz/corpus/<target> (not committed); a failing
# input is written to target/fuzz/artifacts/<target>/ and fails the run.
# See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-25}"
shift || true
lint=false
if [ "$seconds" = lint ]; then
    lint=true
fi
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    targets=(envelope dispatch decode_parity json_reader ts_mapper)
fi

# libFuzzer's runtime is C++, built by libfuzzer-sys's build script.
if ! command -v c++ >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq g++
fi

export CARGO_TARGET_DIR="$PWD/target/fuzz"
export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks"

# An explicit --target keeps RUSTFLAGS off build scripts and proc macros,
# which run on the host without libFuzzer's runtime to link against.
host="$(rustc -vV | sed -n 's/^host: //p')"
if $lint; then
    # The fuzz crate is a workspace of its own, so the main workspace's
    # checks do not reach it. Same flags, profile and target directory as
    # the build, so that it shares the build's build scripts and proc
    # macros and leaves its artifacts alone.
    cargo fmt --manifest-path fuzz/Cargo.toml -- --check
    cargo clippy --manifest-path fuzz/Cargo.toml --locked --release --target "$host" \
        --all-targets -- -D warnings
    exit 0
fi

bins=()
for target in "${targets[@]}"; do bins+=(--bin "$target"); done
cargo build --manifest-path fuzz/Cargo.toml --locked --release --target "$host" "${bins[@]}"

for target in "${targets[@]}"; do
    corpus="$CARGO_TARGET_DIR/corpus/$target"
    artifacts="$CARGO_TARGET_DIR/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    printf '\n==> fuzzing %s for %s s\n' "$target" "$seconds"
    log="$artifacts/fuzz.log"
    # The working corpus first (new inputs land there), then the seeds.
    if "$CARGO_TARGET_DIR/$host/release/$target" "$corpus" "fuzz/corpus/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" >"$log" 2>&1; then
        grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done)' "$log" || true
    else
        tail -n 60 "$log" >&2
        echo "fuzzing $target found a failure; the input is in $artifacts/" >&2
        exit 1
    fi
done

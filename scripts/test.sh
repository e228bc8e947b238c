#!/usr/bin/env bash
# The one test command: Rust lint + tests, release build, then the Python compatibility suite
# that drives the official mlflow client against the freshly built `ferroflow server`, then the
# web UI end-to-end tests in headless Chromium against the same binary.
# Extra arguments are passed to pytest (e.g. `scripts/test.sh -k search -x`).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

current_section=""
section() {
    current_section="$*"
    printf '\n==================== %s ====================\n' "$*"
}
on_error() {
    local code=$?
    printf '\n!!!!!!!!!!!!!!!!!!!! FAILED: %s (exit %s) !!!!!!!!!!!!!!!!!!!!\n' "${current_section:-setup}" "$code" >&2
    exit "$code"
}
trap on_error ERR

started=$SECONDS

section "prerequisites (installs what is missing)"
"$REPO/scripts/install-prereqs.sh"

section "cargo fmt --check"
cargo fmt --all -- --check

section "cargo clippy (-D warnings)"
cargo clippy --workspace --all-targets -- -D warnings

section "cargo test"
cargo test --workspace

section "web UI unit tests (node --test)"
node --test crates/ferroflow-ui/assets/js/charts/*.test.mjs

section "cargo build --release -p ferroflow-cli"
cargo build --release -p ferroflow-cli
test -x "$REPO/target/release/ferroflow"

section "python compatibility suite (official mlflow client vs ferroflow)"
FERROFLOW_BIN="${FERROFLOW_BIN:-$REPO/target/release/ferroflow}" "$REPO/scripts/run-compat.sh" "$@"

section "web UI end-to-end tests (headless Chromium, seeded by the official client)"
FERROFLOW_BIN="${FERROFLOW_BIN:-$REPO/target/release/ferroflow}" "$REPO/scripts/run-e2e.sh"

current_section=""
printf '\n==================== ALL CHECKS PASSED in %ss ====================\n' "$((SECONDS - started))"

#!/usr/bin/env bash
# Installs whatever the test suites need and the machine lacks, so that `scripts/test.sh` works on
# a fresh Debian machine with only the Rust toolchain, python3 and Node/npm. Idempotent and quiet
# when nothing is missing; called by scripts/test.sh before anything else.
#   FERROFLOW_NO_INSTALL=1   only report what is missing (exit 1), install nothing
set -euo pipefail

fail() { echo "install-prereqs: FAIL: $*" >&2; exit 1; }

for tool in cargo python3 node npm; do
    command -v "$tool" >/dev/null || fail "$tool not found on PATH (the one thing this script cannot install)"
done

# rustfmt and clippy are separate rustup components on minimal toolchains.
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    command -v rustup >/dev/null || fail "cargo fmt/clippy missing and rustup unavailable"
    [[ "${FERROFLOW_NO_INSTALL:-0}" == 1 ]] && fail "rustfmt/clippy missing (rustup component add rustfmt clippy)"
    rustup component add rustfmt clippy
fi

missing=()
# Debian splits venv support out of the stdlib: venv creation needs ensurepip from python3-venv.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
command -v sha256sum >/dev/null || missing+=(coreutils)
# The web UI end-to-end tests drive Debian's Chromium (playwright-core never downloads one).
[[ -x /usr/bin/chromium ]] || missing+=(chromium)

((${#missing[@]})) || exit 0
[[ "${FERROFLOW_NO_INSTALL:-0}" == 1 ]] && fail "missing Debian packages: ${missing[*]}"

echo "--- installing Debian packages: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || fail "need root or sudo to install ${missing[*]}"
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp "${TMPDIR:-/tmp}/ferroflow-apt.XXXXXX")"
if ! { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "apt-get could not install ${missing[*]} (full log: $log)"
fi
rm -f "$log"
echo "--- installed: ${missing[*]}"

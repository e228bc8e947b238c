#!/usr/bin/env bash
# End-to-end tests of the embedded web UI: a live `ferroflow server` on a free port with a
# throw-away store, seeded through the official Python client, driven by headless Chromium
# (Debian's /usr/bin/chromium through playwright-core; nothing is downloaded but the npm pin).
# Builds nothing: it tests the binary it is given.
#   FERROFLOW_BIN   server binary (default target/release/ferroflow)
#   FERROFLOW_VENV  venv with the pinned official client (default ~/.cache/ferroflow/venv-mlflow-3.17.2;
#                   scripts/run-compat.sh creates it)
#   CHROMIUM        browser executable (default /usr/bin/chromium)
#   E2E_KEEP=1      keep the store, server log and manifest for inspection
# Extra arguments go to `node --test` (e.g. `--test-name-pattern=filter`).
# Anything missing is a loud failure, never a skip.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="$REPO/e2e"
BIN="${FERROFLOW_BIN:-$REPO/target/release/ferroflow}"
VENV="${FERROFLOW_VENV:-$HOME/.cache/ferroflow/venv-mlflow-3.17.2}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

fail() { echo "run-e2e: FAIL: $*" >&2; exit 1; }

[[ -x "$BIN" ]] || fail "ferroflow binary not found or not executable at $BIN (cargo build --release -p ferroflow-cli, or set FERROFLOW_BIN)"
BIN="$(realpath "$BIN")"
[[ -x "$CHROMIUM" ]] || fail "Chromium not found at $CHROMIUM (apt-get install chromium; .ci/run does this)"
command -v node >/dev/null || fail "node not found on PATH"
command -v npm >/dev/null || fail "npm not found on PATH"
[[ -x "$VENV/bin/python" ]] || fail "no Python venv with the official client at $VENV (scripts/run-compat.sh creates it)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
((node_major >= 20)) || fail "node >= 20 required (playwright-core), found $(node --version)"

# Install the pinned playwright-core only when the installed copy differs from the lock file.
want="$(node -p "require('$E2E/package-lock.json').packages['node_modules/playwright-core'].version")"
have="$(node -p "try { require('$E2E/node_modules/playwright-core/package.json').version } catch { '' }")"
if [[ "$want" != "$have" ]]; then
    echo "--- npm ci (playwright-core $want)"
    (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error)
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ferroflow-e2e.XXXXXX")"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
SERVER_PID=""

cleanup() {
    local code=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if ((code != 0)) && [[ -f "$WORK/server.log" ]]; then
        echo "--- last server log lines ($WORK/server.log)" >&2
        tail -n 40 "$WORK/server.log" >&2 || true
    fi
    if [[ "${E2E_KEEP:-0}" == 1 || $code -ne 0 ]]; then
        echo "--- e2e store kept at $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$code"
}
trap cleanup EXIT

echo "--- server: $BIN on $URL (store $WORK)"
mkdir -p "$WORK/artifacts"
(cd "$WORK" && exec "$BIN" server --host 127.0.0.1 --port "$PORT" \
    --backend-store-uri "sqlite:///$WORK/tracking.db" \
    --artifacts-destination "$WORK/artifacts" \
    --default-artifact-root mlflow-artifacts:/ --serve-artifacts) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

healthy=""
for _ in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited before answering /health"
    if python3 -c "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('$URL/health', timeout=2).status == 200 else 1)" 2>/dev/null; then
        healthy=1
        break
    fi
    sleep 0.2
done
[[ -n "$healthy" ]] || fail "server did not answer /health within 60 s"

echo "--- seeding through the official client"
seed_started=$SECONDS
"$VENV/bin/python" "$E2E/seed.py" "$URL" "$WORK/manifest.json"
echo "--- seeded in $((SECONDS - seed_started))s"

shopt -s nullglob
test_files=("$E2E"/tests/*.test.mjs)
((${#test_files[@]})) || fail "no test files in $E2E/tests"

echo "--- browser tests ($("$CHROMIUM" --version 2>/dev/null | head -n1))"
cd "$E2E"
E2E_BASE_URL="$URL" E2E_MANIFEST="$WORK/manifest.json" CHROMIUM="$CHROMIUM" \
    node --test --test-concurrency=1 --test-reporter=spec "$@" "${test_files[@]}"

#!/usr/bin/env bash
# Only the Python part: make sure the pinned client venv exists, then run pytest on compat/.
#   COMPAT_SERVER=ferroflow (default) | mlflow   which server the official client talks to
#   FERROFLOW_BIN   server binary (default target/release/ferroflow; missing => tests FAIL)
#   FERROFLOW_VENV  venv location (default ~/.cache/ferroflow/venv-mlflow-3.17.2)
# Extra arguments are passed to pytest (e.g. `-m "not stress"`, `-k artifacts -x`).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

REQUIREMENTS="$REPO/compat/requirements.txt"
VENV="${FERROFLOW_VENV:-$HOME/.cache/ferroflow/venv-mlflow-3.17.2}"
STAMP="$VENV/.ferroflow-requirements.sha256"
PYTHON="${PYTHON:-python3}"

want_hash="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
have_hash="$(cat "$STAMP" 2>/dev/null || true)"

if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "--- creating venv $VENV"
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    "$PYTHON" -m venv "$VENV"
    have_hash=""
fi
if [[ "$have_hash" != "$want_hash" ]]; then
    echo "--- installing $REQUIREMENTS into $VENV (pins changed or never installed)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    echo "$want_hash" > "$STAMP"
else
    echo "--- venv $VENV is up to date with $REQUIREMENTS"
fi

pinned="$(sed -n 's/^mlflow==\([^[:space:]]*\).*/\1/p' "$REQUIREMENTS")"
"$VENV/bin/python" - "$pinned" <<'PY'
import sys
import mlflow
if mlflow.__version__ != sys.argv[1]:
    sys.exit(f"venv has mlflow {mlflow.__version__}, compat/requirements.txt pins {sys.argv[1]}")
print(f"--- official client: mlflow {mlflow.__version__}")
PY

export COMPAT_SERVER="${COMPAT_SERVER:-ferroflow}"
export FERROFLOW_BIN="${FERROFLOW_BIN:-$REPO/target/release/ferroflow}"
export FERROFLOW_VENV="$VENV"
if [[ "$COMPAT_SERVER" == ferroflow ]]; then
    echo "--- server under test: ferroflow ($FERROFLOW_BIN)"
else
    echo "--- server under test: $COMPAT_SERVER"
fi

# Test selection by path (`compat/test_wire.py`, `...::test_health`) replaces the default of
# the whole compat/ directory; option-only invocations run everything.
targets=("$REPO/compat")
for arg in "$@"; do
    if [[ "$arg" == *.py || "$arg" == *::* || "$arg" == compat/* ]]; then
        targets=()
        break
    fi
done
exec "$VENV/bin/python" -m pytest "${targets[@]}" -p no:cacheprovider "$@"

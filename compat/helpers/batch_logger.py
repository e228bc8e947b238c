"""One official client process for the concurrency test: waits for a shared start signal, then
logs N metric points into its run with MlflowClient.log_batch.

usage: batch_logger.py RUN_ID N_POINTS CALLS READY_FILE GO_FILE
(tracking URI from MLFLOW_TRACKING_URI)
"""

import os
import sys
import time

from mlflow import MlflowClient
from mlflow.entities import Metric


def main() -> int:
    run_id, n_points, calls, ready_file, go_file = sys.argv[1:6]
    n_points, calls = int(n_points), int(calls)
    client = MlflowClient()
    # Payload is a pure function of (run, step) so the reader can verify every point exactly.
    metrics = [Metric("stress", step * 0.25, 1_700_000_000_000 + step, step) for step in range(n_points)]
    open(ready_file, "w").close()
    deadline = time.monotonic() + 300
    while not os.path.exists(go_file):
        if time.monotonic() > deadline:
            print("never got the go signal", file=sys.stderr)
            return 2
        time.sleep(0.01)
    per_call = (n_points + calls - 1) // calls
    for start in range(0, n_points, per_call):
        client.log_batch(run_id, metrics=metrics[start : start + per_call])
    client.set_terminated(run_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())

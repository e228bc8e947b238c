"""Writer for the crash-durability test. Logs batches of metric points in a loop and appends
the index of every batch the server acknowledged (HTTP 200) to ACK_FILE. Failed attempts
(server down, connection reset mid-request) are counted in FAIL_FILE and the batch is
abandoned: an unacknowledged batch may or may not be stored, but an acknowledged one must be.

usage: ack_writer.py RUN_ID BATCH_SIZE ACK_FILE FAIL_FILE STOP_FILE
(tracking URI from MLFLOW_TRACKING_URI; MLFLOW_HTTP_REQUEST_MAX_RETRIES should be 0)
"""

import os
import sys
import time

from mlflow import MlflowClient
from mlflow.entities import Metric, RunTag


def batch_points(batch: int, size: int) -> list[Metric]:
    return [
        Metric("durable", float(step) * 0.5, 1_700_000_000_000 + step, step)
        for step in range(batch * size, (batch + 1) * size)
    ]


def main() -> int:
    run_id, size, ack_file, fail_file, stop_file = sys.argv[1:6]
    size = int(size)
    client = MlflowClient()
    batch = 0
    deadline = time.monotonic() + 600
    with open(ack_file, "a", buffering=1) as acks, open(fail_file, "a", buffering=1) as fails:
        while not os.path.exists(stop_file) and time.monotonic() < deadline:
            try:
                client.log_batch(run_id, metrics=batch_points(batch, size), tags=[RunTag("last_batch", str(batch))])
            except Exception as e:  # connection refused/reset while the server is down
                fails.write(f"{batch} {type(e).__name__}\n")
                time.sleep(0.02)
            else:
                acks.write(f"{batch}\n")
            batch += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

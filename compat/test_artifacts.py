"""Artifacts through the server's proxy (mlflow-artifacts:/ URIs): log, list, download, load."""

import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mlflow  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402


def listing(client, run_id, path=None):
    return {(a.path, a.is_dir, a.file_size) for a in client.list_artifacts(run_id, path)}


def test_log_and_download_artifacts(client, experiment_id, tmp_path):
    src = tmp_path / "src"
    (src / "sub" / "deeper").mkdir(parents=True)
    (src / "a.txt").write_text("alpha\n")
    (src / "sub" / "b.bin").write_bytes(bytes(range(256)) * 40)
    (src / "sub" / "deeper" / "c.json").write_text('{"c": 1}')
    single = tmp_path / "report with spaces ü.txt"
    single.write_text("unicode name ✓")

    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(single))
        mlflow.log_artifact(str(src / "a.txt"), artifact_path="plots")
        mlflow.log_artifacts(str(src), artifact_path="tree")
    run_id = run.info.run_id

    assert listing(client, run_id) == {
        ("plots", True, None),
        ("tree", True, None),
        ("report with spaces ü.txt", False, len(single.read_bytes())),
    }
    assert listing(client, run_id, "tree") == {
        ("tree/a.txt", False, 6),
        ("tree/sub", True, None),
    }
    assert listing(client, run_id, "tree/sub") == {
        ("tree/sub/b.bin", False, 256 * 40),
        ("tree/sub/deeper", True, None),
    }
    assert listing(client, run_id, "does/not/exist") == set()

    dest = tmp_path / "dl"
    dest.mkdir()
    local = client.download_artifacts(run_id, "tree", str(dest))
    assert (dest / "tree" / "a.txt").read_text() == "alpha\n"
    assert (dest / "tree" / "sub" / "b.bin").read_bytes() == bytes(range(256)) * 40
    assert (dest / "tree" / "sub" / "deeper" / "c.json").read_text() == '{"c": 1}'
    assert os.path.samefile(local, dest / "tree")

    one = mlflow.artifacts.download_artifacts(
        run_id=run_id, artifact_path="report with spaces ü.txt", dst_path=str(tmp_path / "one")
    )
    assert open(one, encoding="utf-8").read() == "unicode name ✓"
    assert open(client.download_artifacts(run_id, "plots/a.txt", str(tmp_path))).read() == "alpha\n"


def test_log_dict_text_and_figure(client, experiment_id, tmp_path):
    mlflow.set_experiment(experiment_id=experiment_id)
    payload = {"lr": 0.01, "layers": [64, 32], "name": "nét"}
    with mlflow.start_run() as run:
        mlflow.log_dict(payload, "config/params.json")
        mlflow.log_dict(payload, "config/params.yaml")
        mlflow.log_text("hello\nworld\n", "notes/readme.md")
        fig, ax = plt.subplots()
        ax.plot([0, 1, 2], [2, 1, 3])
        mlflow.log_figure(fig, "figures/curve.png")
        plt.close(fig)
    run_id = run.info.run_id
    uri = run.info.artifact_uri

    assert mlflow.artifacts.load_dict(f"{uri}/config/params.json") == payload
    assert mlflow.artifacts.load_text(f"{uri}/notes/readme.md") == "hello\nworld\n"
    yaml_path = client.download_artifacts(run_id, "config/params.yaml", str(tmp_path))
    assert yaml.safe_load(open(yaml_path, encoding="utf-8")) == payload
    json_path = client.download_artifacts(run_id, "config/params.json", str(tmp_path))
    assert json.load(open(json_path, encoding="utf-8")) == payload

    png = client.download_artifacts(run_id, "figures/curve.png", str(tmp_path))
    data = open(png, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    ((path, is_dir, size),) = listing(client, run_id, "figures")
    assert (path, is_dir, size) == ("figures/curve.png", False, len(data))
    assert listing(client, run_id) == {("config", True, None), ("notes", True, None), ("figures", True, None)}


def test_overwrite_artifact(client, experiment_id, tmp_path):
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run() as run:
        mlflow.log_text("first version", "doc.txt")
        mlflow.log_text("second", "doc.txt")
    assert mlflow.artifacts.load_text(f"{run.info.artifact_uri}/doc.txt") == "second"
    assert listing(client, run.info.run_id) == {("doc.txt", False, len("second"))}


def test_empty_and_binary_files(client, experiment_id, tmp_path):
    empty = tmp_path / "empty.dat"
    empty.write_bytes(b"")
    blob = tmp_path / "blob.bin"
    content = os.urandom(3 * 1024 * 1024 + 17)  # spans several of the client's 1 MiB chunks
    blob.write_bytes(content)
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(empty))
        mlflow.log_artifact(str(blob), artifact_path="bin")
    run_id = run.info.run_id
    # The official server omits file_size for an empty file, so the client reports None (not 0).
    assert listing(client, run_id) == {("empty.dat", False, None), ("bin", True, None)}
    assert open(client.download_artifacts(run_id, "empty.dat", str(tmp_path / "d1")), "rb").read() == b""
    got = open(client.download_artifacts(run_id, "bin/blob.bin", str(tmp_path / "d2")), "rb").read()
    assert got == content


def test_run_without_artifacts_lists_nothing(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    assert client.list_artifacts(run_id) == []


def test_download_missing_artifact_fails(client, experiment_id, tmp_path):
    run_id = client.create_run(experiment_id).info.run_id
    with pytest.raises(Exception):
        client.download_artifacts(run_id, "nope.txt", str(tmp_path))

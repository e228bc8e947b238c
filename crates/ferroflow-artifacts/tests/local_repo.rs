//! The local configuration of `ObjectStoreRepo`: round trips, MLflow's listing and delete
//! semantics, streaming without buffering, and symlink confinement.

use bytes::Bytes;
use ferroflow_artifacts::{
    ArtifactError, ArtifactPath, ArtifactRepo, ByteStream, FileInfo, ObjectStoreRepo, open_repo,
};
use futures::{StreamExt, TryStreamExt, stream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn p(s: &str) -> ArtifactPath {
    ArtifactPath::parse(s).unwrap()
}

fn body(data: &'static [u8]) -> ByteStream {
    stream::iter([Ok(Bytes::from_static(data))]).boxed()
}

async fn read_all(repo: &dyn ArtifactRepo, path: &str) -> Vec<u8> {
    let d = repo.get(&p(path)).await.unwrap();
    let bytes: Vec<Bytes> = d.stream.try_collect().await.unwrap();
    let out = bytes.concat();
    assert_eq!(
        out.len() as u64,
        d.size,
        "announced size must match the bytes streamed"
    );
    out
}

fn file(name: &str, size: u64) -> FileInfo {
    FileInfo {
        path: name.into(),
        is_dir: false,
        file_size: Some(size),
    }
}

fn dir(name: &str) -> FileInfo {
    FileInfo {
        path: name.into(),
        is_dir: true,
        file_size: None,
    }
}

#[tokio::test]
async fn put_get_list_delete_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = ObjectStoreRepo::local(tmp.path().join("art")).unwrap();

    assert_eq!(repo.put(&p("1/r/a.txt"), body(b"hello")).await.unwrap(), 5);
    repo.put(&p("1/r/sub/b.bin"), body(b"\x00\x01\x02"))
        .await
        .unwrap();
    repo.put(&p("1/r/100%.txt"), body(b"")).await.unwrap();
    assert_eq!(read_all(&repo, "1/r/a.txt").await, b"hello");
    assert_eq!(read_all(&repo, "1/r/sub/b.bin").await, b"\x00\x01\x02");
    assert_eq!(read_all(&repo, "1/r/100%.txt").await, b"");
    // Stored under the exact name on disk, not an encoded one.
    assert!(tmp.path().join("art/1/r/100%.txt").is_file());

    // Overwrite replaces.
    repo.put(&p("1/r/a.txt"), body(b"bye")).await.unwrap();
    assert_eq!(read_all(&repo, "1/r/a.txt").await, b"bye");

    assert_eq!(
        repo.list(Some(&p("1/r"))).await.unwrap(),
        vec![file("100%.txt", 0), file("a.txt", 3), dir("sub")]
    );
    assert_eq!(repo.list(None).await.unwrap(), vec![dir("1")]);
    assert_eq!(
        repo.list(Some(&p("1/r/sub"))).await.unwrap(),
        vec![file("b.bin", 3)]
    );
    // MLflow: a missing directory and a file path both list as empty.
    assert!(repo.list(Some(&p("nope/deeper"))).await.unwrap().is_empty());
    assert!(repo.list(Some(&p("1/r/a.txt"))).await.unwrap().is_empty());
    assert!(
        repo.list(Some(&p("1/r/a.txt/under")))
            .await
            .unwrap()
            .is_empty()
    );

    // Delete a file, then a whole tree; missing is fine.
    repo.delete(&p("1/r/a.txt")).await.unwrap();
    assert!(matches!(
        repo.get(&p("1/r/a.txt")).await,
        Err(ArtifactError::NotFound(_))
    ));
    repo.delete(&p("1/r")).await.unwrap();
    assert!(repo.list(Some(&p("1/r"))).await.unwrap().is_empty());
    assert!(!tmp.path().join("art/1/r").exists());
    repo.delete(&p("1/r")).await.unwrap();
    repo.delete(&p("never/was")).await.unwrap();
}

#[tokio::test]
async fn get_distinguishes_missing_from_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = ObjectStoreRepo::local(tmp.path()).unwrap();
    repo.put(&p("d/f.txt"), body(b"x")).await.unwrap();
    match repo.get(&p("d/missing.txt")).await {
        Err(ArtifactError::NotFound(path)) => assert_eq!(path, "d/missing.txt"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(matches!(
        repo.get(&p("d/f.txt/x")).await,
        Err(ArtifactError::NotFound(_))
    ));
    match repo.get(&p("d")).await {
        Err(ArtifactError::IsDirectory(path)) => assert_eq!(path, "d"),
        other => panic!("expected IsDirectory, got {other:?}"),
    }
    // An empty directory (made outside the repo) is still a directory.
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    assert!(matches!(
        repo.get(&p("empty")).await,
        Err(ArtifactError::IsDirectory(_))
    ));
    assert_eq!(repo.list(None).await.unwrap(), vec![dir("d"), dir("empty")]);
}

#[tokio::test]
async fn put_refuses_directories_and_files_as_parents() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = ObjectStoreRepo::local(tmp.path()).unwrap();
    repo.put(&p("d/f.txt"), body(b"x")).await.unwrap();
    assert!(matches!(
        repo.put(&p("d"), body(b"y")).await,
        Err(ArtifactError::IsDirectory(_))
    ));
    assert!(matches!(
        repo.put(&p("d/f.txt/g"), body(b"y")).await,
        Err(ArtifactError::InvalidPath { .. })
    ));
    assert_eq!(read_all(&repo, "d/f.txt").await, b"x");
}

#[tokio::test]
async fn failed_upload_leaves_previous_content_and_no_debris() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = ObjectStoreRepo::local(tmp.path()).unwrap();
    repo.put(&p("f.bin"), body(b"old")).await.unwrap();
    for total_before_error in [1024usize, 12 * 1024 * 1024] {
        // A client that disconnects after some data (small: single put path; large: multipart).
        let chunks = (0..total_before_error / 1024)
            .map(|_| Ok(Bytes::from(vec![7u8; 1024])))
            .chain([Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "gone",
            ))]);
        let err = repo
            .put(&p("f.bin"), stream::iter(chunks).boxed())
            .await
            .unwrap_err();
        assert!(matches!(err, ArtifactError::Io(_)), "{err}");
        assert_eq!(read_all(&repo, "f.bin").await, b"old");
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["f.bin".to_string()],
        "no staging files may remain"
    );
}

/// Bytes whose owner counts how many generated bytes are alive at once.
struct Counted {
    data: Vec<u8>,
    live: Arc<AtomicUsize>,
}

impl AsRef<[u8]> for Counted {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.live.fetch_sub(self.data.len(), Ordering::SeqCst);
    }
}

fn pattern_byte(offset: usize) -> u8 {
    (offset.wrapping_mul(31) ^ (offset >> 13)) as u8
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_upload_and_download_stream_in_bounded_memory() {
    const TOTAL: usize = 64 * 1024 * 1024;
    const CHUNK: usize = 64 * 1024;
    let tmp = tempfile::tempdir().unwrap();
    let repo = ObjectStoreRepo::local(tmp.path()).unwrap();

    let live = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (live2, peak2) = (live.clone(), peak.clone());
    let generated = stream::iter((0..TOTAL / CHUNK).map(move |i| {
        let data: Vec<u8> = (i * CHUNK..(i + 1) * CHUNK).map(pattern_byte).collect();
        let now = live2.fetch_add(data.len(), Ordering::SeqCst) + data.len();
        peak2.fetch_max(now, Ordering::SeqCst);
        Ok(Bytes::from_owner(Counted {
            data,
            live: live2.clone(),
        }))
    }))
    .boxed();

    let written = repo.put(&p("big/blob.bin"), generated).await.unwrap();
    assert_eq!(written as usize, TOTAL);
    let peak = peak.load(Ordering::SeqCst);
    assert!(
        peak <= 24 * 1024 * 1024,
        "upload held {peak} bytes at once: it buffers"
    );
    assert_eq!(
        live.load(Ordering::SeqCst),
        0,
        "every chunk must be released"
    );
    assert_eq!(
        std::fs::metadata(tmp.path().join("big/blob.bin"))
            .unwrap()
            .len() as usize,
        TOTAL
    );

    let download = repo.get(&p("big/blob.bin")).await.unwrap();
    assert_eq!(download.size as usize, TOTAL);
    let mut offset = 0usize;
    let mut largest_chunk = 0usize;
    let mut stream = download.stream;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        largest_chunk = largest_chunk.max(chunk.len());
        for (i, b) in chunk.iter().enumerate() {
            assert_eq!(*b, pattern_byte(offset + i), "byte {} differs", offset + i);
        }
        offset += chunk.len();
    }
    assert_eq!(offset, TOTAL);
    assert!(
        largest_chunk <= 1024 * 1024,
        "download chunks of {largest_chunk} bytes"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn symlinks_cannot_escape_the_root() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), "secret").unwrap();
    let repo = ObjectStoreRepo::local(&root).unwrap();
    repo.put(&p("inner/ok.txt"), body(b"fine")).await.unwrap();

    symlink(&outside, root.join("escape_dir")).unwrap();
    symlink(outside.join("secret.txt"), root.join("escape_file")).unwrap();
    symlink(root.join("inner"), root.join("inner_link")).unwrap();
    symlink(root.join("nowhere"), root.join("dangling")).unwrap();
    std::fs::create_dir(root.join("deep")).unwrap();
    symlink("../../outside", root.join("deep/relative_escape")).unwrap();

    let refused = |r: Result<(), ArtifactError>, what: &str| match r {
        Err(ArtifactError::InvalidPath { reason, .. }) => {
            assert!(!reason.is_empty(), "{what}")
        }
        other => panic!("{what}: expected InvalidPath, got {other:?}"),
    };
    refused(
        repo.get(&p("escape_dir/secret.txt")).await.map(drop),
        "read via dir link",
    );
    refused(
        repo.get(&p("escape_file")).await.map(drop),
        "read via file link",
    );
    refused(
        repo.get(&p("deep/relative_escape/secret.txt"))
            .await
            .map(drop),
        "relative link",
    );
    refused(repo.get(&p("dangling")).await.map(drop), "dangling link");
    refused(
        repo.put(&p("escape_dir/new.txt"), body(b"x"))
            .await
            .map(drop),
        "write via link",
    );
    refused(
        repo.put(&p("escape_dir/sub/new.txt"), body(b"x"))
            .await
            .map(drop),
        "mkdir via link",
    );
    refused(
        repo.list(Some(&p("escape_dir"))).await.map(drop),
        "list via link",
    );
    refused(
        repo.delete(&p("escape_dir/secret.txt")).await,
        "delete via link",
    );
    assert!(!outside.join("new.txt").exists() && !outside.join("sub").exists());

    // Links that stay inside work.
    assert_eq!(read_all(&repo, "inner_link/ok.txt").await, b"fine");
    repo.put(&p("inner_link/two.txt"), body(b"2"))
        .await
        .unwrap();
    assert_eq!(read_all(&repo, "inner/two.txt").await, b"2");

    // A listing does not reveal what escaping links point to.
    let root_listing = repo.list(None).await.unwrap();
    let names: Vec<&str> = root_listing.iter().map(|f| f.path.as_str()).collect();
    assert!(
        !names.contains(&"escape_dir") && !names.contains(&"escape_file"),
        "{names:?}"
    );
    assert!(
        names.contains(&"inner") && names.contains(&"inner_link"),
        "{names:?}"
    );

    // Deleting a tree that contains an escaping link removes the link, not the target.
    symlink(&outside, root.join("inner/nested_escape")).unwrap();
    repo.delete(&p("inner")).await.unwrap();
    assert!(!root.join("inner").exists());
    assert_eq!(
        std::fs::read_to_string(outside.join("secret.txt")).unwrap(),
        "secret"
    );
}

#[tokio::test]
async fn open_repo_accepts_paths_and_file_uris() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("plain/nested");
    let repo = open_repo(plain.to_str().unwrap()).unwrap();
    assert!(plain.is_dir(), "the directory is created");
    repo.put(&p("x.txt"), body(b"1")).await.unwrap();
    assert!(plain.join("x.txt").is_file());

    let via_uri = tmp.path().join("uri dir");
    let uri = format!("file://{}", via_uri.to_str().unwrap().replace(' ', "%20"));
    let repo = open_repo(&uri).unwrap();
    repo.put(&p("y.txt"), body(b"2")).await.unwrap();
    assert!(via_uri.join("y.txt").is_file());

    let err = open_repo("s3://bucket/prefix").err().unwrap();
    assert!(matches!(err, ArtifactError::Unsupported(_)));
    assert!(
        err.to_string().contains("'s3' scheme is not supported yet"),
        "{err}"
    );
}

//! [`ArtifactRepo`] over any `object_store` backend.
//!
//! Object stores have no directories: a "directory" is a key prefix, listed with a delimiter.
//! The local filesystem is the same store plus a [`LocalRoot`], which adds what only a real
//! filesystem needs: refusing symlinks that lead out of the root, reporting empty directories,
//! and deleting trees without following links.

use crate::error::from_store;
use crate::{ArtifactError, ArtifactPath, ArtifactRepo, ByteStream, Download, FileInfo};
use async_trait::async_trait;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::{GetResultPayload, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bodies up to this size are written with one `put`; larger ones go through a multipart
/// upload in parts of this size (S3's minimum part size, so the same code serves every store).
const PART_SIZE: usize = 5 * 1024 * 1024;

/// Parts in flight at once. Bounds upload memory to about `(MAX_PARTS_IN_FLIGHT + 1) *
/// PART_SIZE` whatever the file size.
const MAX_PARTS_IN_FLIGHT: usize = 2;

/// Read size for local downloads: large enough to keep syscalls and task hops rare.
const LOCAL_READ_CHUNK: usize = 256 * 1024;

/// The repository for every backend; see the module docs.
pub struct ObjectStoreRepo {
    store: Arc<dyn ObjectStore>,
    local: Option<LocalRoot>,
}

/// The local-filesystem configuration of [`ObjectStoreRepo`] (`ObjectStoreRepo::local`).
pub type LocalArtifactRepo = ObjectStoreRepo;

impl std::fmt::Debug for ObjectStoreRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStoreRepo")
            .field("store", &self.store.to_string())
            .finish()
    }
}

impl ObjectStoreRepo {
    /// A repository over a remote object store (S3, GCS, Azure, in-memory, ...), rooted wherever
    /// the store is (wrap it in `PrefixStore` to root it under a key prefix).
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { store, local: None }
    }

    /// A repository in the directory `root`, created if missing. Symlinks inside the root are
    /// followed only while they stay inside it.
    pub fn local(root: impl AsRef<Path>) -> Result<Self, ArtifactError> {
        let root = root.as_ref();
        std::fs::create_dir_all(root).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot create artifact root {}: {e}", root.display()),
            )
        })?;
        let root = std::fs::canonicalize(root)?;
        let store = LocalFileSystem::new_with_prefix(&root)
            .map_err(|e| ArtifactError::Io(io::Error::other(e)))?;
        Ok(Self {
            store: Arc::new(store),
            local: Some(LocalRoot { root }),
        })
    }

    /// Runs the local-root check (if any) off the async threads.
    async fn inspect(&self, path: &ArtifactPath) -> Result<Option<Found>, ArtifactError> {
        let Some(local) = &self.local else {
            return Ok(None);
        };
        let (local, path) = (local.clone(), path.clone());
        let found = tokio::task::spawn_blocking(move || local.inspect(&path))
            .await
            .map_err(|e| ArtifactError::Io(io::Error::other(e)))??;
        Ok(Some(found))
    }

    async fn is_prefix_nonempty(&self, path: &ArtifactPath) -> Result<bool, ArtifactError> {
        let location = store_path(path);
        let mut listing = self.store.list(Some(&location));
        match listing.next().await {
            None => Ok(false),
            Some(Ok(_)) => Ok(true),
            Some(Err(object_store::Error::NotFound { .. })) => Ok(false),
            Some(Err(e)) => Err(from_store(e, path.as_str())),
        }
    }

    /// Streams `body` into a multipart upload after `head` (already read, `head_len` bytes).
    async fn put_multipart(
        &self,
        path: &ArtifactPath,
        head: Vec<Bytes>,
        head_len: u64,
        mut body: ByteStream,
    ) -> Result<u64, ArtifactError> {
        let location = store_path(path);
        let upload = self
            .store
            .put_multipart(&location)
            .await
            .map_err(|e| from_store(e, path.as_str()))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        for chunk in head {
            writer.put(chunk);
        }
        let mut total = head_len;
        loop {
            let step: Result<bool, ArtifactError> = match body.next().await {
                None => Ok(false),
                Some(Err(e)) => Err(e.into()),
                Some(Ok(chunk)) => {
                    total += chunk.len() as u64;
                    // Back-pressure: do not pull more from the peer while parts are queued.
                    match writer.wait_for_capacity(MAX_PARTS_IN_FLIGHT).await {
                        Ok(()) => {
                            writer.put(chunk);
                            Ok(true)
                        }
                        Err(e) => Err(from_store(e, path.as_str())),
                    }
                }
            };
            match step {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    if let Err(abort) = writer.abort().await {
                        tracing::warn!(path = %path, error = %abort, "aborting upload failed");
                    }
                    return Err(e);
                }
            }
        }
        writer
            .finish()
            .await
            .map_err(|e| from_store(e, path.as_str()))?;
        Ok(total)
    }
}

#[async_trait]
impl ArtifactRepo for ObjectStoreRepo {
    async fn put(&self, path: &ArtifactPath, mut body: ByteStream) -> Result<u64, ArtifactError> {
        match self.inspect(path).await? {
            Some(Found::Dir) => return Err(ArtifactError::IsDirectory(path.to_string())),
            Some(Found::BlockedByFile) => {
                return Err(ArtifactError::invalid(
                    path.as_str(),
                    "a parent of this path is a file",
                ));
            }
            _ => {}
        }
        // Small bodies (the common case: params files, MLmodel, images) take one request;
        // only bodies that outgrow one part pay for a multipart upload.
        let mut head = Vec::new();
        let mut head_len = 0u64;
        while head_len < PART_SIZE as u64 {
            match body.next().await {
                None => {
                    let payload: PutPayload = head.into_iter().collect();
                    self.store
                        .put(&store_path(path), payload)
                        .await
                        .map_err(|e| from_store(e, path.as_str()))?;
                    return Ok(head_len);
                }
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(chunk)) => {
                    head_len += chunk.len() as u64;
                    head.push(chunk);
                }
            }
        }
        self.put_multipart(path, head, head_len, body).await
    }

    async fn get(&self, path: &ArtifactPath) -> Result<Download, ArtifactError> {
        match self.inspect(path).await? {
            Some(Found::Missing | Found::BlockedByFile) => {
                return Err(ArtifactError::NotFound(path.to_string()));
            }
            Some(Found::Dir) => return Err(ArtifactError::IsDirectory(path.to_string())),
            Some(Found::File) | None => {}
        }
        let result = match self.store.get(&store_path(path)).await {
            Ok(r) => r,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(if self.is_prefix_nonempty(path).await? {
                    ArtifactError::IsDirectory(path.to_string())
                } else {
                    ArtifactError::NotFound(path.to_string())
                });
            }
            Err(e) => return Err(from_store(e, path.as_str())),
        };
        let size = result.range.end - result.range.start;
        let stream: ByteStream = match result.payload {
            GetResultPayload::File(file, _) => {
                use tokio::io::AsyncReadExt;
                let reader = tokio::fs::File::from_std(file).take(size);
                tokio_util::io::ReaderStream::with_capacity(reader, LOCAL_READ_CHUNK).boxed()
            }
            GetResultPayload::Stream(s) => s.map_err(io::Error::other).boxed(),
        };
        Ok(Download { size, stream })
    }

    async fn list(&self, dir: Option<&ArtifactPath>) -> Result<Vec<FileInfo>, ArtifactError> {
        if let Some(dir) = dir {
            match self.inspect(dir).await? {
                Some(Found::Dir) | None => {}
                Some(_) => return Ok(Vec::new()),
            }
        }
        if let Some(local) = &self.local {
            let (local, dir) = (local.clone(), dir.cloned());
            let mut files = tokio::task::spawn_blocking(move || local.list(dir.as_ref()))
                .await
                .map_err(|e| ArtifactError::Io(io::Error::other(e)))??;
            files.sort_by(|a, b| a.path.cmp(&b.path));
            return Ok(files);
        }
        let prefix = dir.map(store_path);
        let described = dir.map_or("", ArtifactPath::as_str);
        let listing = match self.store.list_with_delimiter(prefix.as_ref()).await {
            Ok(l) => l,
            Err(object_store::Error::NotFound { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(from_store(e, described)),
        };
        let mut files: Vec<FileInfo> = listing
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_owned))
            .map(|name| FileInfo {
                path: name,
                is_dir: true,
                file_size: None,
            })
            .chain(listing.objects.iter().filter_map(|o| {
                let name = o.location.filename()?.to_owned();
                Some(FileInfo {
                    path: name,
                    is_dir: false,
                    file_size: Some(o.size),
                })
            }))
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    async fn delete(&self, path: &ArtifactPath) -> Result<(), ArtifactError> {
        if let Some(local) = &self.local {
            // Through the filesystem, not the store: the store's recursive listing follows
            // symlinks, and deleting "through" a link would remove files outside the root.
            let found = self.inspect(path).await?.unwrap_or(Found::Missing);
            let target = local.fs_path(path);
            let removed = match found {
                Found::Missing | Found::BlockedByFile => return Ok(()),
                Found::File => tokio::fs::remove_file(&target).await,
                Found::Dir if is_symlink(&target) => tokio::fs::remove_file(&target).await,
                // Does not follow symlinks found inside the tree; removes the links themselves.
                Found::Dir => tokio::fs::remove_dir_all(&target).await,
            };
            return match removed {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e.into()),
                _ => Ok(()),
            };
        }
        let location = store_path(path);
        match self.store.delete(&location).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(from_store(e, path.as_str())),
        }
        let children = self
            .store
            .list(Some(&location))
            .map_ok(|meta| meta.location)
            .boxed();
        let mut deleted = self.store.delete_stream(children);
        while let Some(result) = deleted.next().await {
            match result {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(from_store(e, path.as_str())),
            }
        }
        Ok(())
    }
}

/// The store key for a validated path. `ArtifactPath` already refuses everything
/// `Path::parse` would, so keys keep their exact names (no re-encoding) and local files are
/// named as the client named them.
fn store_path(path: &ArtifactPath) -> StorePath {
    StorePath::parse(path.as_str()).unwrap_or_else(|_| StorePath::from(path.as_str()))
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// What a path is on the local filesystem, once symlinks are resolved within the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Missing,
    /// A non-final segment is a regular file, so nothing can exist below it.
    BlockedByFile,
    File,
    Dir,
}

/// The canonical root directory of a local repository.
#[derive(Debug, Clone)]
struct LocalRoot {
    root: PathBuf,
}

impl LocalRoot {
    fn fs_path(&self, path: &ArtifactPath) -> PathBuf {
        let mut p = self.root.clone();
        p.extend(path.segments());
        p
    }

    /// Walks `path` segment by segment from the root, resolving each symlink met and refusing
    /// any that lands outside the root (or cannot be resolved). Like the official server, this
    /// check and the later IO are not atomic: a process that can plant symlinks in the root
    /// between the two already has write access to it.
    fn inspect(&self, path: &ArtifactPath) -> Result<Found, ArtifactError> {
        let segments: Vec<&str> = path.segments().collect();
        let mut current = self.root.clone();
        for (i, segment) in segments.iter().enumerate() {
            current.push(segment);
            let meta = match std::fs::symlink_metadata(&current) {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Missing),
                Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
                    return Ok(Found::BlockedByFile);
                }
                Err(e) => return Err(e.into()),
            };
            let meta = if meta.file_type().is_symlink() {
                current = self.resolve_link(&current, path)?;
                std::fs::metadata(&current)?
            } else {
                meta
            };
            if i + 1 == segments.len() {
                return Ok(if meta.is_dir() {
                    Found::Dir
                } else {
                    Found::File
                });
            }
            if !meta.is_dir() {
                return Ok(Found::BlockedByFile);
            }
        }
        Ok(Found::Missing)
    }

    fn resolve_link(&self, link: &Path, path: &ArtifactPath) -> Result<PathBuf, ArtifactError> {
        let target = std::fs::canonicalize(link).map_err(|_| {
            ArtifactError::invalid(
                path.as_str(),
                "a symbolic link on the path cannot be resolved",
            )
        })?;
        if target.starts_with(&self.root) {
            Ok(target)
        } else {
            Err(ArtifactError::invalid(
                path.as_str(),
                "resolved path is outside the artifact directory",
            ))
        }
    }

    /// One directory's entries, read from the filesystem rather than through the store: the
    /// store's walk follows symlinks and fails the whole listing on a loop or a dangling link.
    /// Here such entries are left out, and so are symlinks leading outside the root (a listing
    /// reveals nothing, not even a size, about files the repository refuses to serve) and names
    /// no artifact path could have.
    fn list(&self, dir: Option<&ArtifactPath>) -> Result<Vec<FileInfo>, ArtifactError> {
        let base = dir.map_or_else(|| self.root.clone(), |d| self.fs_path(d));
        let entries = match std::fs::read_dir(&base) {
            Ok(e) => e,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                return Ok(Vec::new());
            }
            Err(e) => return Err(e.into()),
        };
        let mut files = Vec::new();
        for entry in entries {
            let Ok(entry) = entry else { continue };
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if ArtifactPath::parse(&name).is_err() {
                continue;
            }
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            let meta = if meta.file_type().is_symlink() {
                match std::fs::canonicalize(entry.path()) {
                    Ok(t) if t.starts_with(&self.root) => match std::fs::metadata(&t) {
                        Ok(m) => m,
                        Err(_) => continue,
                    },
                    _ => continue,
                }
            } else {
                meta
            };
            if meta.is_dir() {
                files.push(FileInfo {
                    path: name,
                    is_dir: true,
                    file_size: None,
                });
            } else if meta.is_file() {
                files.push(FileInfo {
                    path: name,
                    is_dir: false,
                    file_size: Some(meta.len()),
                });
            }
        }
        Ok(files)
    }
}

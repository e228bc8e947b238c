//! Validated relative artifact paths.
//!
//! Every path that reaches storage has been through [`ArtifactPath::parse`]; repositories never
//! join raw strings. The rules follow the official server's `validate_path_is_safe` (reject `..`,
//! absolute paths, `#`, drive letters, after repeated percent-decoding) and are stricter where it
//! is cheap to be: backslashes, control characters, empty and `.` segments are refused on every
//! platform, so a path accepted here means the same file on Linux, Windows and object stores.

use crate::ArtifactError;
use percent_encoding::percent_decode_str;
use std::fmt;

/// Decoding rounds after which a still-changing string is refused. The official server stops at
/// 10; legitimate names stabilise after one or two.
const MAX_DECODE_ROUNDS: usize = 10;

/// A non-empty relative path of `/`-separated segments that cannot leave the directory it is
/// joined to, under any number of further percent-decodings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArtifactPath(String);

impl ArtifactPath {
    /// Validates a path that the HTTP layer has already percent-decoded once.
    ///
    /// The string itself is what gets stored (so a file really named `100%25.txt` keeps its
    /// name), but every further decoding of it must also be safe: a layer below us, or a client
    /// that builds URLs from listed names, might decode again, and `%252e%252e` must not become
    /// `..` there.
    pub fn parse(raw: &str) -> Result<Self, ArtifactError> {
        let mut current = raw.to_owned();
        for _ in 0..MAX_DECODE_ROUNDS {
            check_form(raw, &current)?;
            // Lossy: invalid UTF-8 becomes U+FFFD but every ASCII byte (`.`, `/`, `\\`) survives,
            // so byte-level decoders below us cannot see a structure we did not check.
            let decoded = percent_decode_str(&current)
                .decode_utf8_lossy()
                .into_owned();
            if decoded == current {
                return Ok(Self(raw.to_owned()));
            }
            current = decoded;
        }
        Err(ArtifactError::invalid(
            raw,
            "too many levels of percent-encoding",
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The segments, never empty, never `.` or `..`.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// The last segment: the file or directory name.
    pub fn basename(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// The containing directory, `None` at the top level.
    pub fn parent(&self) -> Option<ArtifactPath> {
        self.0
            .rsplit_once('/')
            .map(|(head, _)| Self(head.to_owned()))
    }

    /// Appends one already-validated name. Names from listings are single segments.
    pub fn join(&self, name: &str) -> Result<ArtifactPath, ArtifactError> {
        Self::parse(&format!("{}/{}", self.0, name))
    }
}

impl fmt::Display for ArtifactPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ArtifactPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Checks one decoding of the path; `raw` is only used to name the path in the error.
fn check_form(raw: &str, form: &str) -> Result<(), ArtifactError> {
    let bad = |reason: &str| Err(ArtifactError::invalid(raw, reason));
    if form.is_empty() {
        return bad("the path is empty");
    }
    if form.chars().any(|c| c.is_control()) {
        return bad("control characters are not allowed");
    }
    if form.contains('\\') {
        return bad("backslashes are not allowed");
    }
    // The official server refuses `#`; it also keeps object_store's local staging files
    // (`name#<n>`) out of reach of requests.
    if form.contains('#') {
        return bad("'#' is not allowed");
    }
    if form.starts_with('/') {
        return bad("absolute paths are not allowed");
    }
    if has_drive_letter(form) {
        return bad("drive letters are not allowed");
    }
    for segment in form.split('/') {
        match segment {
            "" => return bad("empty path segments are not allowed"),
            "." | ".." => return bad("'.' and '..' segments are not allowed"),
            _ => {}
        }
    }
    Ok(())
}

/// `C:`, `c:foo`, ... — absolute or drive-relative on Windows.
fn has_drive_letter(form: &str) -> bool {
    let b = form.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

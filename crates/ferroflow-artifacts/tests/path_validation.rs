//! `ArtifactPath::parse` against the traversal tricks the proxy must refuse, and the ordinary
//! names it must keep byte for byte.

use ferroflow_artifacts::{ArtifactError, ArtifactPath};

#[test]
fn accepts_ordinary_relative_paths_unchanged() {
    for ok in [
        "a.txt",
        "1/0123456789abcdef0123456789abcdef/artifacts/model/MLmodel",
        "dir/sub dir/file with spaces.json",
        "résumé/数据.csv",
        "model:v1/weights.bin",
        "..hidden/.config",
        "a..b/c...",
        "100%.txt",
        "100%25.txt",
        "%ff",
        "x/-/_/~",
    ] {
        let p = ArtifactPath::parse(ok).unwrap_or_else(|e| panic!("{ok:?} refused: {e}"));
        assert_eq!(p.as_str(), ok, "stored name must be the name given");
    }
}

#[test]
fn refuses_unsafe_paths() {
    let table: &[(&str, &str)] = &[
        ("", "empty"),
        ("..", "parent"),
        ("../x", "parent prefix"),
        ("a/../../x", "parent in the middle"),
        ("a/..", "parent at the end"),
        ("./a", "dot segment"),
        ("a/./b", "dot segment in the middle"),
        ("/etc/passwd", "absolute"),
        ("//server/share", "UNC-like"),
        ("a//b", "empty segment"),
        ("a/", "trailing slash"),
        ("a\\b", "backslash"),
        ("..\\..\\x", "backslash traversal"),
        ("a\0b", "NUL"),
        ("a\nb", "newline"),
        ("C:/Windows", "drive letter"),
        ("c:x", "drive-relative"),
        ("a#1", "hash"),
        // Encoded once more than the HTTP layer decodes:
        ("%2e%2e/x", "encoded dots"),
        ("%2E%2E%2Fx", "encoded dots and slash"),
        ("..%2fx", "encoded slash after dots"),
        ("a%2f..%2f..%2fx", "encoded traversal inside one segment"),
        ("%2fetc%2fpasswd", "encoded absolute"),
        ("a%5c..%5cx", "encoded backslash"),
        ("a%00b", "encoded NUL"),
        ("a%23b", "encoded hash"),
        ("C%3a/x", "encoded drive colon"),
        // ... and twice or more:
        ("%252e%252e/x", "double-encoded dots"),
        ("%25252e%25252e%25252fx", "triple-encoded traversal"),
        ("a%252f..%252fb", "double-encoded slash"),
        // Invalid UTF-8 around an encoded traversal must not hide it:
        ("%ff%2f..%2fx", "traversal behind invalid UTF-8"),
    ];
    for (raw, what) in table {
        match ArtifactPath::parse(raw) {
            Err(ArtifactError::InvalidPath { path, reason }) => {
                assert_eq!(path, *raw, "{what}: the error names the given path");
                assert!(!reason.is_empty());
            }
            other => panic!("{what} ({raw:?}) must be refused, got {other:?}"),
        }
    }
}

#[test]
fn endless_encoding_is_refused() {
    // `%252541` -> `%2541` -> `%41` -> `A`: each round peels one `25`; eleven exceed the limit.
    let raw = format!("a%{}41", "25".repeat(11));
    assert!(ArtifactPath::parse(&raw).is_err());
    let raw = format!("a%{}41", "25".repeat(3));
    assert_eq!(ArtifactPath::parse(&raw).unwrap().as_str(), raw);
}

#[test]
fn navigation_helpers() {
    let p = ArtifactPath::parse("1/run/artifacts/model.pkl").unwrap();
    assert_eq!(p.basename(), "model.pkl");
    assert_eq!(p.parent().unwrap().as_str(), "1/run/artifacts");
    assert_eq!(p.segments().count(), 4);
    assert!(ArtifactPath::parse("top").unwrap().parent().is_none());
    let dir = ArtifactPath::parse("1/run").unwrap();
    assert_eq!(dir.join("x.txt").unwrap().as_str(), "1/run/x.txt");
    assert!(dir.join("..").is_err());
    assert!(dir.join("../../etc").is_err());
}

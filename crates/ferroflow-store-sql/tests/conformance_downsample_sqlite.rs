//! Runs the downsampled-history conformance checks against SQLite, file-backed (the production
//! setup) and in-memory.

use ferroflow_store::conformance::Fixture;
use ferroflow_store_sql::SqlStore;
use std::sync::Arc;

mod file {
    use super::*;

    async fn fixture() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let uri = format!("sqlite:///{}", dir.path().join("ff.db").display());
        let store = SqlStore::connect(&uri).await.expect("connect");
        Fixture {
            store: Arc::new(store),
            guard: Box::new(dir),
        }
    }

    ferroflow_store::tracking_store_downsample_conformance!(fixture);
}

mod memory {
    use super::*;

    async fn fixture() -> Fixture {
        let store = SqlStore::connect("sqlite:///:memory:")
            .await
            .expect("connect");
        Fixture {
            store: Arc::new(store),
            guard: Box::new(()),
        }
    }

    ferroflow_store::tracking_store_downsample_conformance!(fixture);
}

//! Runs the registry conformance suite against SQLite, file-backed and in-memory.

use ferroflow_store::conformance_registry::RegistryFixture;
use ferroflow_store_sql::SqlStore;
use std::sync::Arc;

mod file {
    use super::*;

    async fn fixture() -> RegistryFixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let uri = format!("sqlite:///{}", dir.path().join("reg.db").display());
        let store = SqlStore::connect(&uri).await.expect("connect");
        RegistryFixture {
            store: Arc::new(store),
            guard: Box::new(dir),
        }
    }

    ferroflow_store::registry_store_conformance!(fixture);
}

mod memory {
    use super::*;

    async fn fixture() -> RegistryFixture {
        let store = SqlStore::connect("sqlite:///:memory:")
            .await
            .expect("connect");
        RegistryFixture {
            store: Arc::new(store),
            guard: Box::new(()),
        }
    }

    ferroflow_store::registry_store_conformance!(fixture);
}

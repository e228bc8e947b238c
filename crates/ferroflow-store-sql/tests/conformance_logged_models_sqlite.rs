//! Runs the logged-model conformance checks against SQLite (file-backed, the production setup,
//! and in-memory).

use ferroflow_store::conformance_logged_models::LoggedModelFixture;
use ferroflow_store_sql::SqlStore;
use std::sync::Arc;

mod file {
    use super::*;

    async fn fixture() -> LoggedModelFixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let uri = format!("sqlite:///{}", dir.path().join("ff.db").display());
        let store = Arc::new(SqlStore::connect(&uri).await.expect("connect"));
        LoggedModelFixture {
            tracking: store.clone(),
            models: store,
            guard: Box::new(dir),
        }
    }

    ferroflow_store::logged_model_store_conformance!(fixture);
}

mod memory {
    use super::*;

    async fn fixture() -> LoggedModelFixture {
        let store = Arc::new(
            SqlStore::connect("sqlite:///:memory:")
                .await
                .expect("connect"),
        );
        LoggedModelFixture {
            tracking: store.clone(),
            models: store,
            guard: Box::new(()),
        }
    }

    ferroflow_store::logged_model_store_conformance!(fixture);
}

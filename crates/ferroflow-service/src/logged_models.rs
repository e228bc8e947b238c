//! MLflow 3 logged models as use cases (filled in by the logged-models work).

use ferroflow_store::{LoggedModelStore, TrackingStore};
use std::sync::Arc;

pub struct LoggedModelService {
    #[allow(dead_code)]
    store: Arc<dyn LoggedModelStore>,
    #[allow(dead_code)]
    tracking: Arc<dyn TrackingStore>,
}

impl LoggedModelService {
    pub fn new(store: Arc<dyn LoggedModelStore>, tracking: Arc<dyn TrackingStore>) -> Self {
        Self { store, tracking }
    }
}

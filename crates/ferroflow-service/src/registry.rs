//! The model registry as use cases (filled in by the registry work).

use ferroflow_store::{LoggedModelStore, RegistryStore, TrackingStore};
use std::sync::Arc;

pub struct RegistryService {
    #[allow(dead_code)]
    store: Arc<dyn RegistryStore>,
    #[allow(dead_code)]
    logged_models: Arc<dyn LoggedModelStore>,
    #[allow(dead_code)]
    tracking: Arc<dyn TrackingStore>,
}

impl RegistryService {
    pub fn new(
        store: Arc<dyn RegistryStore>,
        logged_models: Arc<dyn LoggedModelStore>,
        tracking: Arc<dyn TrackingStore>,
    ) -> Self {
        Self {
            store,
            logged_models,
            tracking,
        }
    }
}

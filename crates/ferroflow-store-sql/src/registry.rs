//! [`RegistryStore`] over SQL (filled in by the registry work).

use crate::SqlStore;
use ferroflow_store::RegistryStore;

impl RegistryStore for SqlStore {}

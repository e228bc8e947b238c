//! [`LoggedModelStore`] over SQL (filled in by the logged-models work).

use crate::SqlStore;
use ferroflow_store::LoggedModelStore;

impl LoggedModelStore for SqlStore {}

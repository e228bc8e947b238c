//! The one seam between query logic and a database driver.
//!
//! Store operations are written once against `&mut dyn Db`; a backend supplies an
//! implementation for its connection type. This keeps sqlx types inside the backend modules.

use crate::dialect::Dialect;
use crate::sql::{Row, Sql};
use async_trait::async_trait;
use ferroflow_store::StoreResult;

#[async_trait]
pub(crate) trait Db: Send {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; returns the number of rows it changed.
    async fn execute(&mut self, sql: &Sql) -> StoreResult<u64>;
    async fn fetch_all(&mut self, sql: &Sql) -> StoreResult<Vec<Row>>;

    /// Runs SQL without parameters (transaction control and the like).
    async fn raw(&mut self, text: &str) -> StoreResult<()> {
        let mut s = Sql::new(self.dialect());
        s.push(text);
        self.execute(&s).await.map(|_| ())
    }

    /// Closes the underlying connection (used when the writer stops).
    async fn close(self: Box<Self>);

    async fn fetch_optional(&mut self, sql: &Sql) -> StoreResult<Option<Row>> {
        Ok(self.fetch_all(sql).await?.into_iter().next())
    }
}

//! A dialect-neutral statement: SQL text with bind parameters, and the rows that come back.
//!
//! Query-building code writes to [`Sql`] and reads [`Row`]s, so it never touches a driver type;
//! each backend module only has to execute an [`Sql`] and convert its rows.

use crate::dialect::Dialect;
use ferroflow_store::StoreError;

/// A bind parameter value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<f64> for Arg {
    fn from(v: f64) -> Self {
        Self::Real(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Self::Int(i64::from(v))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}
impl<T: Into<Arg>> From<Option<T>> for Arg {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// SQL text plus its bind parameters, built in order. Values only ever enter through
/// [`Sql::bind`], never through the text.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    pub(crate) dialect: Dialect,
    pub(crate) text: String,
    pub(crate) args: Vec<Arg>,
}

impl Sql {
    pub(crate) fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            text: String::new(),
            args: Vec::new(),
        }
    }

    /// Refuses a statement with more bind parameters than the dialect allows
    /// ([`Dialect::max_binds`]) before it reaches the database, whose own refusal would be a
    /// backend failure. Writes are chunked below the limit; only searches whose request lists
    /// many values (experiment ids, `IN` lists) can get here.
    pub(crate) fn check_bind_limit(&self) -> Result<(), StoreError> {
        let max = self.dialect.max_binds();
        if self.args.len() > max {
            return Err(StoreError::Invalid(format!(
                "The request needs {} values in one database query; at most {max} are allowed. \
                 Ask for fewer experiments, runs or IN-list values at a time.",
                self.args.len()
            )));
        }
        Ok(())
    }

    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    pub(crate) fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        self.dialect.placeholder(&mut self.text, self.args.len());
        self
    }

    /// `(?, ?, ...)` for each value.
    pub(crate) fn bind_list<T: Into<Arg>>(
        &mut self,
        values: impl IntoIterator<Item = T>,
    ) -> &mut Self {
        self.text.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self.text.push(')');
        self
    }
}

/// A dynamically typed column value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// One result row, columns in SELECT order.
#[derive(Debug, Clone)]
pub(crate) struct Row(pub(crate) Vec<Val>);

fn bad(i: usize, want: &str, got: &Val) -> StoreError {
    StoreError::Backend(format!("column {i}: expected {want}, found {got:?}"))
}

impl Row {
    fn at(&self, i: usize) -> Result<&Val, StoreError> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Backend(format!("column {i} missing")))
    }

    pub(crate) fn opt_i64(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.at(i)? {
            Val::Null => Ok(None),
            Val::Int(v) => Ok(Some(*v)),
            other => Err(bad(i, "integer", other)),
        }
    }

    pub(crate) fn i64(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_i64(i)?
            .ok_or_else(|| bad(i, "integer", &Val::Null))
    }

    pub(crate) fn f64(&self, i: usize) -> Result<f64, StoreError> {
        match self.at(i)? {
            Val::Real(v) => Ok(*v),
            #[allow(clippy::cast_precision_loss)]
            Val::Int(v) => Ok(*v as f64),
            other => Err(bad(i, "real", other)),
        }
    }

    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.at(i)? {
            Val::Null => Ok(None),
            Val::Text(v) => Ok(Some(v.clone())),
            other => Err(bad(i, "text", other)),
        }
    }

    pub(crate) fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?.ok_or_else(|| bad(i, "text", &Val::Null))
    }
}

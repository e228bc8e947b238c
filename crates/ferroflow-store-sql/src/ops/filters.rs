//! Filter and paging SQL shared by the run, experiment, registry and logged-model searches.
//! Their grammars differ in which values they accept, not in how a comparison or a page
//! becomes SQL.

use crate::sql::{Arg, Sql};
use ferroflow_core::Page;
use ferroflow_core::search::{Comparator, Value};
use ferroflow_store::{StoreError, StoreResult};

pub(crate) fn invalid(msg: impl Into<String>) -> StoreError {
    StoreError::Invalid(msg.into())
}

fn text_of(v: &Value) -> StoreResult<&str> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(invalid(format!("Expected a string value, got {other:?}"))),
    }
}

/// `<col> <op> <value>` on a text column (LIKE is case-sensitive, ILIKE is not). `in_items`
/// reads the value of an `IN`/`NOT IN` clause, whose accepted shapes differ per search.
pub(crate) fn text_cmp(
    s: &mut Sql,
    col: &str,
    op: Comparator,
    value: &Value,
    in_items: fn(&Value) -> StoreResult<Vec<String>>,
) -> StoreResult<()> {
    let d = s.dialect;
    match op {
        Comparator::Eq => {
            s.push(col).push(" = ").bind(text_of(value)?);
        }
        Comparator::Ne => {
            s.push(col).push(" != ").bind(text_of(value)?);
        }
        Comparator::Like => {
            let (kw, pattern) = d.like_pattern(text_of(value)?);
            s.push(col).push(kw).bind(pattern);
        }
        Comparator::ILike => {
            let (pre, mid, post) = d.ilike();
            s.push(pre)
                .push(col)
                .push(mid)
                .bind(text_of(value)?)
                .push(post);
        }
        Comparator::In | Comparator::NotIn => {
            in_list(s, col, op == Comparator::NotIn, in_items(value)?);
        }
        other => {
            return Err(invalid(format!(
                "Invalid comparator '{}' for a string value",
                other.as_str()
            )));
        }
    }
    Ok(())
}

/// `<col> [NOT] IN (...)`; an empty list matches nothing, or everything when negated.
pub(crate) fn in_list<T: Into<Arg>>(s: &mut Sql, col: &str, negate: bool, items: Vec<T>) {
    if items.is_empty() {
        s.push(if negate { "1 = 1" } else { "1 = 0" });
    } else {
        s.push(col)
            .push(if negate { " NOT IN " } else { " IN " })
            .bind_list(items);
    }
}

/// The SQL operator of an ordering comparison.
pub(crate) fn numeric_op(op: Comparator) -> StoreResult<&'static str> {
    Ok(match op {
        Comparator::Eq => " = ",
        Comparator::Ne => " != ",
        Comparator::Lt => " < ",
        Comparator::Le => " <= ",
        Comparator::Gt => " > ",
        Comparator::Ge => " >= ",
        other => {
            return Err(invalid(format!(
                "Invalid comparator '{}' for a numeric value",
                other.as_str()
            )));
        }
    })
}

pub(crate) fn dir(ascending: bool) -> &'static str {
    if ascending { " ASC" } else { " DESC" }
}

/// Asks for one row more than the page holds, so [`page`] can tell whether another follows.
pub(crate) fn limit_offset(s: &mut Sql, max_results: u64, offset: u64) {
    let limit = i64::try_from(max_results.saturating_add(1)).unwrap_or(i64::MAX);
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    s.push(" LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
}

/// The page of rows fetched with [`limit_offset`].
pub(crate) fn page<T>(mut items: Vec<T>, max_results: u64, offset: u64) -> Page<T> {
    let more = items.len() as u64 > max_results;
    items.truncate(usize::try_from(max_results).unwrap_or(usize::MAX));
    Page {
        items,
        next_offset: more.then_some(offset + max_results),
    }
}

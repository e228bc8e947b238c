//! Bounds on what one search may ask of the database, checked before any SQL is built.
//!
//! MLflow has none of these; its SQL store then fails inside the database (SQLite: "Expression
//! tree is too large", "at most 64 tables in a join", "too many SQL variables", "LIKE or GLOB
//! pattern too complex") and the client sees a 503 carrying the SQL, which it retries for
//! minutes. Each limit sits well above anything a client sends and below the first database
//! limit, so an over-limit search gets one clear `INVALID_PARAMETER_VALUE` instead.

use super::parser::{RawClause, RawValue};
use crate::error::{Error, Result};

/// Longest filter string, in bytes. Room for a 10,000-value `IN` list of run ids.
pub const MAX_FILTER_LENGTH: usize = 1024 * 1024;
/// Most `AND`-ed clauses in one filter. Each clause nests the SQL expression one level deeper
/// (SQLite stops at depth 1000) and may add a subquery.
pub const MAX_FILTER_CLAUSES: usize = 100;
/// Most values in all `IN (...)` lists of one filter; each is one bound variable.
pub const MAX_FILTER_LIST_VALUES: usize = 10_000;
/// Longest `LIKE`/`ILIKE` pattern, in characters (SQLite refuses patterns over 50,000 bytes,
/// and the case-sensitive translation to GLOB may triple a character).
pub const MAX_LIKE_PATTERN_LENGTH: usize = 10_000;
/// Most `%` wildcards (runs of consecutive `%` count once) in one pattern: matching cost grows
/// with the product of the text length and the wildcards' backtracking.
pub const MAX_LIKE_WILDCARDS: usize = 32;
/// Most order-by terms in one search; most become a join, and SQLite joins at most 64 tables.
pub const MAX_ORDER_BY_TERMS: usize = 32;

pub(crate) fn check_filter_length(filter: &str) -> Result<()> {
    if filter.len() > MAX_FILTER_LENGTH {
        return Err(Error::invalid(format!(
            "The filter string is {} bytes long; at most {MAX_FILTER_LENGTH} are allowed.",
            filter.len()
        )));
    }
    Ok(())
}

pub(crate) fn check_clauses(clauses: &[RawClause]) -> Result<()> {
    if clauses.len() > MAX_FILTER_CLAUSES {
        return Err(Error::invalid(format!(
            "The filter has {} clauses; at most {MAX_FILTER_CLAUSES} are allowed. Combine \
             equality tests on one key into an IN list, or split the search.",
            clauses.len()
        )));
    }
    let mut list_values = 0usize;
    for c in clauses {
        match &c.value {
            RawValue::List {
                items: Ok(items), ..
            } => list_values += items.len(),
            RawValue::Text { raw } if c.op.text().ends_with("LIKE") => check_like(raw)?,
            _ => {}
        }
    }
    if list_values > MAX_FILTER_LIST_VALUES {
        return Err(Error::invalid(format!(
            "The filter's IN lists hold {list_values} values; at most \
             {MAX_FILTER_LIST_VALUES} are allowed in one search."
        )));
    }
    Ok(())
}

fn check_like(pattern: &str) -> Result<()> {
    let len = pattern.chars().count();
    if len > MAX_LIKE_PATTERN_LENGTH {
        return Err(Error::invalid(format!(
            "A LIKE pattern is {len} characters long; at most {MAX_LIKE_PATTERN_LENGTH} are \
             allowed."
        )));
    }
    let wildcards = pattern
        .as_bytes()
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'%' && (i == 0 || pattern.as_bytes()[i - 1] != b'%'))
        .count();
    if wildcards > MAX_LIKE_WILDCARDS {
        return Err(Error::invalid(format!(
            "A LIKE pattern has {wildcards} '%' wildcards; at most {MAX_LIKE_WILDCARDS} are \
             allowed."
        )));
    }
    Ok(())
}

/// Called by every search with its order-by list before parsing it.
pub fn check_order_by_terms(n: usize) -> Result<()> {
    if n > MAX_ORDER_BY_TERMS {
        return Err(Error::invalid(format!(
            "The search has {n} order_by terms; at most {MAX_ORDER_BY_TERMS} are allowed."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::parse_run_filter;
    use super::*;

    #[test]
    fn over_limit_filters_are_refused_with_the_limit_named() {
        let many = (0..=MAX_FILTER_CLAUSES)
            .map(|i| format!("params.p{i} = 'x'"))
            .collect::<Vec<_>>()
            .join(" and ");
        let e = parse_run_filter(&many).unwrap_err();
        assert!(e.message.contains("at most 100"), "{}", e.message);
        let list = (0..=MAX_FILTER_LIST_VALUES)
            .map(|i| format!("'r{i}'"))
            .collect::<Vec<_>>()
            .join(",");
        let e = parse_run_filter(&format!("attributes.run_id IN ({list})")).unwrap_err();
        assert!(e.message.contains("IN lists"), "{}", e.message);
        let pat = "%a".repeat(MAX_LIKE_WILDCARDS + 1);
        let e = parse_run_filter(&format!("attributes.run_name LIKE '{pat}'")).unwrap_err();
        assert!(e.message.contains("wildcards"), "{}", e.message);
        let e = parse_run_filter(&format!("tags.t ILIKE '{}'", "a".repeat(10_001))).unwrap_err();
        assert!(e.message.contains("LIKE pattern"), "{}", e.message);
        let e = parse_run_filter(&"x".repeat(MAX_FILTER_LENGTH + 1)).unwrap_err();
        assert!(e.message.contains("bytes long"), "{}", e.message);
        // Consecutive wildcards count once, and names full of `_` are fine.
        parse_run_filter(&format!("attributes.run_name LIKE '{}'", "%%%".repeat(10))).unwrap();
        parse_run_filter("attributes.run_name LIKE 'my_model_v_2%'").unwrap();
        assert!(check_order_by_terms(MAX_ORDER_BY_TERMS).is_ok());
        assert!(check_order_by_terms(MAX_ORDER_BY_TERMS + 1).is_err());
    }
}

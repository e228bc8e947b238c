//! The places where SQL dialects differ, named once.
//!
//! Every query in this crate is built from portable SQL plus calls into [`Dialect`], so adding
//! PostgreSQL or MySQL means adding a variant here and an executor module, not auditing every
//! query for SQLite-isms.

/// A SQL dialect family. Only SQLite has an executor today; the others exist so the differences
/// are decided where the SQL is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // Postgres/MySql are wired up by their executors later.
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
    MySql,
}

impl Dialect {
    /// Writes the placeholder for the `n`-th (1-based) bind parameter.
    pub(crate) fn placeholder(self, out: &mut String, n: usize) {
        match self {
            Self::Sqlite | Self::MySql => out.push('?'),
            Self::Postgres => {
                out.push('$');
                out.push_str(&n.to_string());
            }
        }
    }

    /// Most bind parameters one statement may carry. SQLite's default limit is 32766 (since
    /// 3.32); we stay well below every backend's limit and also keep statements small.
    pub(crate) fn max_binds(self) -> usize {
        match self {
            Self::Sqlite => 30_000,
            Self::Postgres | Self::MySql => 60_000,
        }
    }

    /// `<col> LIKE <pattern>` with case-sensitive matching. SQLite's LIKE ignores ASCII case, so
    /// the pattern is translated to GLOB, which is case-sensitive.
    pub(crate) fn like_pattern(self, pattern: &str) -> (&'static str, String) {
        match self {
            Self::Sqlite => (" GLOB ", like_to_glob(pattern)),
            // PostgreSQL's LIKE is case-sensitive; `\` is its default escape character.
            Self::Postgres => (" LIKE ", pattern.replace('\\', "\\\\")),
            Self::MySql => (" LIKE BINARY ", pattern.replace('\\', "\\\\")),
        }
    }

    /// The expression and pattern for a case-insensitive LIKE.
    pub(crate) fn ilike(self) -> (&'static str, &'static str, &'static str) {
        // (prefix around column, operator, suffix) — written as LOWER(col) LIKE LOWER(?).
        match self {
            Self::Sqlite | Self::MySql => ("LOWER(", ") LIKE LOWER(", ")"),
            Self::Postgres => ("(", ") ILIKE (", ")"),
        }
    }

    /// The column that orders a table's rows by first insertion (MLflow lists a run's latest
    /// metrics, params and tags in that order). SQLite's implicit rowid, which an upsert keeps; the other
    /// dialects have no such column, so their migrations must add a `seq` identity column.
    pub(crate) fn insertion_order(self) -> &'static str {
        match self {
            Self::Sqlite => "rowid",
            Self::Postgres | Self::MySql => "seq",
        }
    }

    /// Casts an integer expression to text, for string comparisons on numeric ids.
    pub(crate) fn cast_text(self, expr: &str) -> String {
        match self {
            Self::Sqlite | Self::Postgres => format!("CAST({expr} AS TEXT)"),
            Self::MySql => format!("CAST({expr} AS CHAR)"),
        }
    }

    /// Suffix making an INSERT skip rows that hit the given unique key.
    pub(crate) fn on_conflict_ignore(self, key: &str) -> String {
        match self {
            Self::Sqlite | Self::Postgres => format!(" ON CONFLICT ({key}) DO NOTHING"),
            // MySQL spells it `INSERT IGNORE`; a no-op update keeps this a suffix.
            Self::MySql => {
                let first = key.split(',').next().unwrap_or(key).trim();
                format!(" ON DUPLICATE KEY UPDATE {first} = {first}")
            }
        }
    }

    /// Suffix turning an INSERT into an upsert that overwrites `cols` on a key conflict.
    /// `condition`, when given, is a predicate over `excluded.*` and the existing row (named by
    /// its table) that must hold for the update to happen.
    pub(crate) fn upsert(self, key: &str, cols: &[&str], condition: Option<&str>) -> String {
        match self {
            Self::Sqlite | Self::Postgres => {
                let sets: Vec<String> =
                    cols.iter().map(|c| format!("{c} = excluded.{c}")).collect();
                let mut s = format!(" ON CONFLICT ({key}) DO UPDATE SET {}", sets.join(", "));
                if let Some(cond) = condition {
                    s.push_str(" WHERE ");
                    s.push_str(cond);
                }
                s
            }
            Self::MySql => {
                // MySQL has no conditional upsert; its executor must emulate `condition` with
                // IF() per column. Kept explicit so nobody forgets.
                let sets: Vec<String> = cols.iter().map(|c| format!("{c} = VALUES({c})")).collect();
                format!(" ON DUPLICATE KEY UPDATE {}", sets.join(", "))
            }
        }
    }

    /// The statement that opens the group-commit write transaction.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            // Take the write lock up front so a busy database fails here (and is retried by
            // busy_timeout) rather than in the middle of a command.
            Self::Sqlite => "BEGIN IMMEDIATE",
            Self::Postgres | Self::MySql => "BEGIN",
        }
    }
}

/// Translates a SQL LIKE pattern (`%`, `_`) to a GLOB pattern, escaping GLOB's own
/// metacharacters so they match literally.
pub(crate) fn like_to_glob(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 4);
    for c in pattern.chars() {
        match c {
            '%' => out.push('*'),
            '_' => out.push('?'),
            '*' => out.push_str("[*]"),
            '?' => out.push_str("[?]"),
            '[' => out.push_str("[[]"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_translates_wildcards_and_escapes_glob_metacharacters() {
        assert_eq!(like_to_glob("a%b_c"), "a*b?c");
        assert_eq!(like_to_glob("x*y?[z]"), "x[*]y[?][[]z]");
    }

    #[test]
    fn postgres_placeholders_are_numbered() {
        let mut s = String::new();
        Dialect::Postgres.placeholder(&mut s, 3);
        assert_eq!(s, "$3");
    }
}

//! Recursive-descent parser for MLflow's search filters and order-by elements.
//!
//! Parsing happens in two steps, mirroring the order in which the official server reports
//! problems: first the shape (`identifier comparator value`, joined by `AND`), then per clause
//! the identifier, the value's type, and last the comparator. Keeping that order means a filter
//! with several mistakes gets the same first complaint from both servers.
//!
//! MLflow's conjunction handling is lenient in ways clients may rely on: stray `AND`s at either
//! end or doubled, and clauses merely separated by whitespace, are all accepted. So are they here.

use super::ast::*;
use super::lexer::{Keyword, Token, TokenKind, tokenize};
use crate::error::{Error, Result};

// ---------------------------------------------------------------------------------------------
// Syntax: raw clauses
// ---------------------------------------------------------------------------------------------

/// A comparator as written, before it is checked against the entity.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawOp {
    /// Upper-cased operator text: `=`, `<>`, `LIKE`, `NOT IN`, `NOT LIKE`, ...
    Cmp(String),
    IsNull,
    IsNotNull,
}

impl RawOp {
    pub(crate) fn text(&self) -> &str {
        match self {
            RawOp::Cmp(s) => s,
            RawOp::IsNull => "IS NULL",
            RawOp::IsNotNull => "IS NOT NULL",
        }
    }

    /// `None` for operators MLflow tokenizes but never accepts (`<>`, `==`, `NOT LIKE`).
    pub(crate) fn comparator(&self) -> Option<Comparator> {
        Some(match self.text() {
            "=" => Comparator::Eq,
            "!=" => Comparator::Ne,
            "<" => Comparator::Lt,
            "<=" => Comparator::Le,
            ">" => Comparator::Gt,
            ">=" => Comparator::Ge,
            "LIKE" => Comparator::Like,
            "ILIKE" => Comparator::ILike,
            "IN" => Comparator::In,
            "NOT IN" => Comparator::NotIn,
            "IS NULL" => Comparator::IsNull,
            "IS NOT NULL" => Comparator::IsNotNull,
            _ => return None,
        })
    }
}

/// The right-hand side as written. `raw` is the source text, quoted in error messages.
#[derive(Debug, Clone)]
pub(crate) enum RawValue {
    None,
    /// A single-quoted string, or a name (which covers double-quoted strings and bare words).
    Text {
        raw: String,
    },
    Number {
        value: f64,
        integer: bool,
        raw: String,
    },
    /// A keyword where a value belongs (`= NULL`): never a valid value.
    Word {
        raw: String,
    },
    /// A parenthesised list; its items are only judged once the key is known to accept lists,
    /// so the evaluation result is kept rather than raised.
    List {
        items: std::result::Result<Vec<String>, String>,
        raw: String,
    },
}

impl RawValue {
    pub(crate) fn raw(&self) -> &str {
        match self {
            RawValue::None => "None",
            RawValue::Text { raw }
            | RawValue::Number { raw, .. }
            | RawValue::List { raw, .. }
            | RawValue::Word { raw } => raw,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RawClause {
    pub(crate) ident: String,
    pub(crate) op: RawOp,
    pub(crate) value: RawValue,
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    listing: ClauseListing,
}

/// How `Invalid clause(s)` errors list the offending tokens. MLflow's run search quotes each
/// one; its registry searches print them bare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClauseListing {
    Quoted,
    Bare,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, listing: ClauseListing) -> Result<Self> {
        Ok(Self {
            src,
            toks: tokenize(src)?,
            pos: 0,
            listing,
        })
    }

    fn kind(&self, i: usize) -> Option<&TokenKind> {
        self.toks.get(i).map(|t| &t.kind)
    }

    fn text(&self, i: usize) -> &'a str {
        self.toks[i].text(self.src)
    }

    fn is_kw(&self, i: usize, kw: Keyword) -> bool {
        self.kind(i) == Some(&TokenKind::Keyword(kw))
    }

    /// MLflow's complaint for tokens that do not form a clause: it lists them one by one.
    fn invalid_clause(&self, from: usize) -> Error {
        let mut end = from + 1;
        // `OR` is reported on its own: it is the one thing to fix.
        while end < self.toks.len()
            && !self.is_kw(end, Keyword::And)
            && !self.is_kw(from, Keyword::Or)
        {
            end += 1;
        }
        let listed: Vec<String> = (from..end)
            .map(|i| match self.listing {
                ClauseListing::Quoted => format!("'{}'", self.text(i)),
                ClauseListing::Bare => self.text(i).to_string(),
            })
            .collect();
        Error::invalid(format!(
            "Invalid clause(s) in filter string: {}",
            listed.join(", ")
        ))
    }

    /// Index just past the `)` matching the `(` at `open`, if any.
    fn matching_paren(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for i in open..self.toks.len() {
            match self.toks[i].kind {
                TokenKind::LParen => depth += 1,
                TokenKind::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn clauses(mut self) -> Result<Vec<RawClause>> {
        let mut out = Vec::new();
        loop {
            while self.is_kw(self.pos, Keyword::And) {
                self.pos += 1;
            }
            let Some(kind) = self.kind(self.pos) else {
                break;
            };
            match kind {
                TokenKind::Ident => out.push(self.clause()?),
                TokenKind::LParen => {
                    // Grouping is not supported; quote the whole group like MLflow does.
                    let msg = match self.matching_paren(self.pos) {
                        Some(end) if self.listing == ClauseListing::Bare => format!(
                            "Invalid clause(s) in filter string: {}",
                            &self.src[self.toks[self.pos].span.start..self.toks[end - 1].span.end]
                        ),
                        Some(end) => format!(
                            "Invalid clause(s) in filter string: '{}'. Parentheses are only \
                             allowed around IN lists",
                            &self.src[self.toks[self.pos].span.start..self.toks[end - 1].span.end]
                        ),
                        None => return Err(self.invalid_clause(self.pos)),
                    };
                    return Err(Error::invalid(msg));
                }
                TokenKind::Other
                    if self.text(self.pos) == ";" && self.pos + 1 < self.toks.len() =>
                {
                    // The registry flavour quotes the filter like Python's `repr`, as MLflow does.
                    let shown = match self.listing {
                        ClauseListing::Quoted => format!("'{}'", self.src),
                        ClauseListing::Bare => crate::registry::python_repr(self.src),
                    };
                    return Err(Error::invalid(format!(
                        "Search filter contained multiple expression {shown}. Provide AND-ed \
                         expression list."
                    )));
                }
                _ => return Err(self.invalid_clause(self.pos)),
            }
        }
        Ok(out)
    }

    /// `ident (IS [NOT] NULL | [NOT] IN list | op value | [NOT] LIKE value | ILIKE value)`.
    fn clause(&mut self) -> Result<RawClause> {
        let start = self.pos;
        let ident = self.text(start).to_string();
        let i = start + 1;
        let (op, value, next) = match self.kind(i) {
            Some(TokenKind::Keyword(Keyword::Is)) => {
                if self.is_kw(i + 1, Keyword::Null) {
                    (RawOp::IsNull, RawValue::None, i + 2)
                } else if self.is_kw(i + 1, Keyword::Not)
                    && self.is_kw(i + 2, Keyword::Null)
                    // MLflow's tokenizer only recognises `NOT NULL` spelled with one space.
                    && self.toks[i + 2].span.start == self.toks[i + 1].span.end + 1
                    && self.src.as_bytes()[self.toks[i + 1].span.end] == b' '
                {
                    (RawOp::IsNotNull, RawValue::None, i + 3)
                } else {
                    return Err(self.invalid_clause(start));
                }
            }
            Some(TokenKind::Keyword(Keyword::In)) => {
                let (value, next) = self.list(i + 1).ok_or_else(|| self.invalid_clause(start))?;
                (RawOp::Cmp("IN".into()), value, next)
            }
            Some(TokenKind::Keyword(Keyword::Not)) if self.is_kw(i + 1, Keyword::In) => {
                let (value, next) = self.list(i + 2).ok_or_else(|| self.invalid_clause(start))?;
                (RawOp::Cmp("NOT IN".into()), value, next)
            }
            Some(TokenKind::Keyword(Keyword::Not))
                if self.is_kw(i + 1, Keyword::Like) || self.is_kw(i + 1, Keyword::ILike) =>
            {
                let op = format!("NOT {}", self.text(i + 1).to_ascii_uppercase());
                let value = self
                    .scalar(i + 2)
                    .ok_or_else(|| self.invalid_clause(start))?;
                (RawOp::Cmp(op), value, i + 3)
            }
            Some(TokenKind::Op | TokenKind::Keyword(Keyword::Like | Keyword::ILike)) => {
                let op = self.text(i).to_ascii_uppercase();
                let value = self
                    .scalar(i + 1)
                    .ok_or_else(|| self.invalid_clause(start))?;
                (RawOp::Cmp(op), value, i + 2)
            }
            _ => return Err(self.invalid_clause(start)),
        };
        self.pos = next;
        Ok(RawClause { ident, op, value })
    }

    fn scalar(&self, i: usize) -> Option<RawValue> {
        let raw = || self.text(i).to_string();
        Some(match self.kind(i)? {
            TokenKind::Str => RawValue::Text { raw: raw() },
            TokenKind::Ident => RawValue::Text { raw: raw() },
            TokenKind::Keyword(_) => RawValue::Word { raw: raw() },
            TokenKind::Number { integer } => {
                let value = self.text(i).parse::<f64>().ok()?;
                RawValue::Number {
                    value,
                    integer: *integer,
                    raw: raw(),
                }
            }
            _ => return None,
        })
    }

    /// A parenthesised list starting at `open`, evaluated the way MLflow evaluates it (as a
    /// Python tuple literal of strings).
    fn list(&self, open: usize) -> Option<(RawValue, usize)> {
        if self.kind(open) != Some(&TokenKind::LParen) {
            return None;
        }
        let end = self.matching_paren(open)?;
        let raw = self.src[self.toks[open].span.start..self.toks[end - 1].span.end].to_string();
        let items = self.list_items(open + 1, end - 1);
        Some((
            RawValue::List {
                items,
                raw: raw.clone(),
            },
            end,
        ))
    }

    fn list_items(&self, from: usize, to: usize) -> std::result::Result<Vec<String>, String> {
        const ILL_FORMED: &str = "While parsing a list in the query, expected a non-empty list \
                                  of string values, but got ill-formed list.";
        let mut items = Vec::new();
        let mut saw_number = false;
        let mut i = from;
        while i < to {
            // One item: adjacent string literals concatenate, as in Python.
            let mut item: Option<String> = None;
            while i < to {
                match self.kind(i) {
                    Some(TokenKind::Str) => {}
                    Some(TokenKind::Ident) if self.text(i).starts_with('"') => {}
                    _ => break,
                }
                let decoded = decode_python_literals(self.text(i)).ok_or(ILL_FORMED)?;
                item.get_or_insert_with(String::new).push_str(&decoded);
                i += 1;
            }
            match item {
                Some(s) => items.push(Some(s)),
                None if matches!(self.kind(i), Some(TokenKind::Number { .. })) => {
                    saw_number = true;
                    items.push(None);
                    i += 1;
                }
                None => return Err(ILL_FORMED.into()),
            }
            if i < to {
                if self.kind(i) != Some(&TokenKind::Comma) {
                    return Err(ILL_FORMED.into());
                }
                i += 1;
            }
        }
        if items.is_empty() {
            return Err(
                "While parsing a list in the query, expected a non-empty list of string \
                        values, but got empty list"
                    .into(),
            );
        }
        if saw_number {
            let inner = &self.src[self.toks[from - 1].span.start..self.toks[to].span.end];
            return Err(format!(
                "While parsing a list in the query, expected string value, punctuation, or \
                 whitespace, but got different type in list: {inner}"
            ));
        }
        Ok(items.into_iter().flatten().collect())
    }
}

/// Decodes one or more adjacent Python string literals packed in one token (`'a''b'` is `ab`
/// to Python, which is what MLflow uses to read IN lists). `None` if Python would refuse it.
pub(crate) fn decode_python_literals(raw: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(quote) = chars.next() {
        if quote != '\'' && quote != '"' {
            return None;
        }
        loop {
            match chars.next()? {
                c if c == quote => break,
                '\n' => return None,
                '\\' => decode_escape(&mut chars, &mut out)?,
                c => out.push(c),
            }
        }
    }
    Some(out)
}

fn decode_escape(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    out: &mut String,
) -> Option<()> {
    let hex = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize| -> Option<char> {
        let s: String = (0..n).map(|_| chars.next()).collect::<Option<String>>()?;
        if !s.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        char::from_u32(u32::from_str_radix(&s, 16).ok()?)
    };
    match chars.next()? {
        '\n' => {}
        '\\' => out.push('\\'),
        '\'' => out.push('\''),
        '"' => out.push('"'),
        'n' => out.push('\n'),
        't' => out.push('\t'),
        'r' => out.push('\r'),
        'a' => out.push('\x07'),
        'b' => out.push('\x08'),
        'f' => out.push('\x0c'),
        'v' => out.push('\x0b'),
        'x' => out.push(hex(chars, 2)?),
        'u' => out.push(hex(chars, 4)?),
        'U' => out.push(hex(chars, 8)?),
        d @ '0'..='7' => {
            let mut v = d.to_digit(8)?;
            for _ in 0..2 {
                match chars.peek().and_then(|c| c.to_digit(8)) {
                    Some(n) => {
                        v = v * 8 + n;
                        chars.next();
                    }
                    None => break,
                }
            }
            out.push(char::from_u32(v)?);
        }
        // Python keeps unknown escapes verbatim.
        c => {
            out.push('\\');
            out.push(c);
        }
    }
    Some(())
}

fn parse_raw_filter(s: &str) -> Result<Vec<RawClause>> {
    parse_raw_filter_with(s, ClauseListing::Quoted)
}

/// The clause-level syntax shared by every search grammar; `listing` picks the error style.
pub(crate) fn parse_raw_filter_with(s: &str, listing: ClauseListing) -> Result<Vec<RawClause>> {
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    super::limits::check_filter_length(s)?;
    let clauses = Parser::new(s, listing)?.clauses()?;
    super::limits::check_clauses(&clauses)?;
    Ok(clauses)
}

// ---------------------------------------------------------------------------------------------
// Order-by syntax
// ---------------------------------------------------------------------------------------------

/// Splits an order-by element into its identifier (quotes resolved the way MLflow's `shlex`
/// pass resolves them) and direction.
pub(crate) fn parse_raw_order_by(s: &str) -> Result<(String, bool)> {
    let unparsable = || {
        Error::invalid(format!(
            "Invalid order_by clause '{s}'. Could not be parsed."
        ))
    };
    // MLflow's tokenizer turns surrounding whitespace into extra tokens and gives up.
    if s.is_empty() || s.trim() != s {
        return Err(unparsable());
    }
    let toks = tokenize(s).map_err(|_| unparsable())?;
    let ident = match toks.first() {
        Some(t) if t.kind == TokenKind::Ident => t.text(s),
        _ => return Err(unparsable()),
    };
    let ascending = match toks.get(1).map(|t| &t.kind) {
        None => true,
        Some(TokenKind::Keyword(Keyword::Asc)) => true,
        Some(TokenKind::Keyword(Keyword::Desc)) => false,
        Some(TokenKind::Ident | TokenKind::Keyword(_)) => {
            return Err(Error::invalid(format!(
                "Invalid ordering key in order_by clause '{s}'."
            )));
        }
        Some(_) => return Err(unparsable()),
    };
    if toks.len() > 2 {
        return Err(unparsable());
    }
    // MLflow only runs its shell-style unquoting when a direction follows the identifier.
    let ident = if toks.len() == 2 {
        shlex_word(ident).ok_or_else(unparsable)?
    } else {
        ident.to_string()
    };
    Ok((ident, ascending))
}

/// Removes quoting from one word like a POSIX shell does, with backticks read as double quotes
/// (MLflow rewrites them before calling `shlex.split`).
fn shlex_word(raw: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' | '`' => loop {
                match chars.next()? {
                    '"' | '`' => break,
                    '\\' => {
                        let n = chars.next()?;
                        if !matches!(n, '"' | '\\' | '`' | '$') {
                            out.push('\\');
                        }
                        out.push(n);
                    }
                    c => out.push(c),
                }
            },
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    c => out.push(c),
                }
            },
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Shared helpers for interpreting identifiers and values
// ---------------------------------------------------------------------------------------------

pub(crate) fn is_quoted(s: &str, q: char) -> bool {
    s.chars().count() >= 2 && s.starts_with(q) && s.ends_with(q)
}

pub(crate) fn trim_ends(s: &str) -> &str {
    let mut it = s.chars();
    it.next();
    it.next_back();
    it.as_str()
}

pub(crate) fn strip_quotes(s: &str) -> &str {
    if is_quoted(s, '\'') || is_quoted(s, '"') {
        trim_ends(s)
    } else {
        s
    }
}

pub(crate) fn trim_backticks(s: &str) -> &str {
    if is_quoted(s, '`') { trim_ends(s) } else { s }
}

/// A key after the entity prefix: quotes of any kind are removed, nothing is unescaped.
fn clean_key(s: &str) -> String {
    trim_backticks(strip_quotes(s)).to_string()
}

/// `entity.key` split at the first dot; `None` prefix for a bare key.
pub(crate) fn split_ident(ident: &str) -> (Option<&str>, &str) {
    match ident.split_once('.') {
        Some((entity, key)) => (Some(entity), key),
        None => (None, ident),
    }
}

/// The string a quoted value stands for. MLflow keeps the text between the quotes verbatim.
pub(crate) fn quoted_string(raw: &str) -> Result<String> {
    if is_quoted(raw, '\'') || is_quoted(raw, '"') {
        Ok(trim_ends(raw).to_string())
    } else {
        Err(Error::invalid(format!(
            "Parameter value is either not quoted or unidentified quote types used for string \
             value {raw}. Use either single or double quotes."
        )))
    }
}

fn invalid_comparator(op: &RawOp, valid: &str) -> Error {
    Error::invalid(format!(
        "Invalid comparator '{}' not one of '{valid}'",
        op.text()
    ))
}

/// Checks `op` against the comparators an entity allows (a subset of `allowed`).
fn check_comparator(op: &RawOp, allowed: &[Comparator], valid_msg: &str) -> Result<Comparator> {
    match op.comparator() {
        Some(c) if allowed.contains(&c) => Ok(c),
        _ => Err(invalid_comparator(op, valid_msg)),
    }
}

const NUMERIC_CMPS: &[Comparator] = &[
    Comparator::Gt,
    Comparator::Ge,
    Comparator::Ne,
    Comparator::Eq,
    Comparator::Lt,
    Comparator::Le,
];
const NUMERIC_CMPS_MSG: &str = "{'>', '>=', '!=', '=', '<', '<='}";
const TAG_CMPS: &[Comparator] = &[
    Comparator::Ne,
    Comparator::Eq,
    Comparator::Like,
    Comparator::ILike,
    Comparator::IsNull,
    Comparator::IsNotNull,
];
const TAG_CMPS_MSG: &str = "{'!=', '=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL'}";
const STRING_CMPS: &[Comparator] = &[
    Comparator::Ne,
    Comparator::Eq,
    Comparator::Like,
    Comparator::ILike,
    Comparator::In,
    Comparator::NotIn,
];
const STRING_CMPS_MSG: &str = "{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}";

fn list_not_supported(supported: &str) -> Error {
    Error::invalid(format!(
        "Only {supported} attributes support comparison with a list of quoted string values."
    ))
}

pub(crate) fn list_value(items: &std::result::Result<Vec<String>, String>) -> Result<Value> {
    match items {
        Ok(v) => Ok(Value::List(v.clone())),
        Err(msg) => Err(Error::invalid(msg.clone())),
    }
}

// ---------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunEntity {
    Metric,
    Param,
    Tag,
    Attribute,
    Dataset,
}

impl RunEntity {
    fn name(self) -> &'static str {
        match self {
            Self::Metric => "metric",
            Self::Param => "parameter",
            Self::Tag => "tag",
            Self::Attribute => "attribute",
            Self::Dataset => "dataset",
        }
    }
}

const RUN_FILTER_ATTRS_MSG: &str = "{'run_id', 'run_name', 'status', 'user_id', 'artifact_uri', \
                                    'start_time', 'end_time', 'created', 'Created', 'run name', \
                                    'Run name', 'Run Name'}";
const RUN_ORDER_ATTRS_MSG: &str = "{'run_id', 'run_name', 'status', 'user_id', 'artifact_uri', \
                                   'start_time', 'end_time', 'created', 'Created'}";

fn run_attribute(key: &str, for_order_by: bool) -> Option<RunAttribute> {
    Some(match key {
        "run_id" => RunAttribute::RunId,
        "run_name" => RunAttribute::RunName,
        "status" => RunAttribute::Status,
        "user_id" => RunAttribute::UserId,
        "artifact_uri" => RunAttribute::ArtifactUri,
        "start_time" | "created" | "Created" => RunAttribute::StartTime,
        "end_time" => RunAttribute::EndTime,
        "run name" | "Run name" | "Run Name" if !for_order_by => RunAttribute::RunName,
        _ => return None,
    })
}

/// Resolves a run identifier to its entity and key; `key` is returned as written (aliases
/// untranslated) because MLflow's later messages quote it that way.
fn run_identifier(ident: &str, for_order_by: bool) -> Result<(RunEntity, String, RunKey)> {
    let (prefix, key) = split_ident(ident);
    let entity = match prefix.map(trim_backticks) {
        None => RunEntity::Attribute,
        Some("metric" | "metrics") => RunEntity::Metric,
        Some("parameter" | "parameters" | "param" | "params") => RunEntity::Param,
        Some("tag" | "tags") => RunEntity::Tag,
        Some("attribute" | "attributes" | "attr" | "run") => RunEntity::Attribute,
        Some("dataset" | "datasets") => RunEntity::Dataset,
        Some(other) => {
            return Err(Error::invalid(format!(
                "Invalid entity type '{other}'. Valid values are ['metric', 'parameter', 'tag', \
                 'attribute', 'dataset']"
            )));
        }
    };
    let key = clean_key(key);
    let run_key = match entity {
        RunEntity::Metric => RunKey::Metric(key.clone()),
        RunEntity::Param => RunKey::Param(key.clone()),
        RunEntity::Tag => RunKey::Tag(key.clone()),
        RunEntity::Attribute => match run_attribute(&key, for_order_by) {
            Some(a) => RunKey::Attribute(a),
            None => {
                let valid = if for_order_by {
                    RUN_ORDER_ATTRS_MSG
                } else {
                    RUN_FILTER_ATTRS_MSG
                };
                return Err(Error::invalid(format!(
                    "Invalid attribute key '{key}' specified. Valid keys are '{valid}'"
                )));
            }
        },
        RunEntity::Dataset => RunKey::Dataset(match key.as_str() {
            "name" => DatasetField::Name,
            "digest" => DatasetField::Digest,
            "context" => DatasetField::Context,
            _ => {
                return Err(Error::invalid(format!(
                    "Invalid dataset key '{key}' specified. Valid keys are \
                     '{{'name', 'digest', 'context'}}'"
                )));
            }
        }),
    };
    Ok((entity, key, run_key))
}

fn run_clause(raw: RawClause) -> Result<Clause<RunKey>> {
    let (entity, key, run_key) = run_identifier(&raw.ident, false)?;
    if matches!(raw.op, RawOp::IsNull | RawOp::IsNotNull) {
        if !matches!(entity, RunEntity::Param | RunEntity::Tag) {
            return Err(Error::invalid(format!(
                "IS NULL / IS NOT NULL is only supported for tags and params, not for '{}' '{key}'",
                entity.name()
            )));
        }
        let op = raw.op.comparator().unwrap_or(Comparator::IsNull);
        return Ok(Clause {
            key: run_key,
            op,
            value: Value::None,
        });
    }
    let value = match (&run_key, &raw.value) {
        (RunKey::Metric(_), RawValue::Number { value, .. }) => Value::Number(*value),
        (RunKey::Metric(_), v) => {
            return Err(Error::invalid(format!(
                "Expected numeric value type for metric. Found {}",
                v.raw()
            )));
        }
        (RunKey::Param(_) | RunKey::Tag(_), RawValue::Text { raw, .. }) => {
            Value::String(quoted_string(raw)?)
        }
        (RunKey::Param(_) | RunKey::Tag(_), v) => {
            return Err(Error::invalid(format!(
                "Expected a quoted string value for {} (e.g. 'my-value'). Got value {}",
                entity.name(),
                v.raw()
            )));
        }
        (RunKey::Attribute(a), v) if a.is_numeric() => match v {
            RawValue::Number { value, .. } => Value::Number(*value),
            v => {
                return Err(Error::invalid(format!(
                    "Expected numeric value type for numeric attribute: {key}. Found {}",
                    v.raw()
                )));
            }
        },
        (RunKey::Attribute(_), RawValue::Text { raw, .. }) => Value::String(quoted_string(raw)?),
        (RunKey::Attribute(a), RawValue::List { items, .. }) => {
            if *a != RunAttribute::RunId || key != "run_id" {
                return Err(list_not_supported("['run_id']"));
            }
            list_value(items)?
        }
        (RunKey::Attribute(_), v) => {
            return Err(Error::invalid(format!(
                "Expected a quoted string value for attributes. Got value {}",
                v.raw()
            )));
        }
        (RunKey::Dataset(_), RawValue::Text { raw, .. }) => Value::String(quoted_string(raw)?),
        (RunKey::Dataset(_), RawValue::List { items, .. }) => list_value(items)?,
        (RunKey::Dataset(_), v) => {
            return Err(Error::invalid(format!(
                "Expected a quoted string value for dataset attributes. Got value {}",
                v.raw()
            )));
        }
    };
    let op = match (&run_key, entity) {
        (RunKey::Metric(_), _) => check_comparator(&raw.op, NUMERIC_CMPS, NUMERIC_CMPS_MSG)?,
        (RunKey::Param(_) | RunKey::Tag(_), _) => {
            check_comparator(&raw.op, TAG_CMPS, TAG_CMPS_MSG)?
        }
        (RunKey::Attribute(a), _) if a.is_numeric() => {
            check_comparator(&raw.op, NUMERIC_CMPS, NUMERIC_CMPS_MSG)?
        }
        _ => check_comparator(&raw.op, STRING_CMPS, STRING_CMPS_MSG)?,
    };
    Ok(Clause {
        key: run_key,
        op,
        value,
    })
}

/// Parses a `search_runs` filter. An empty or blank filter matches everything.
pub fn parse_run_filter(s: &str) -> Result<RunFilter> {
    parse_raw_filter(s)?.into_iter().map(run_clause).collect()
}

/// Parses one `search_runs` order-by element, e.g. `metrics.rmse DESC`.
pub fn parse_run_order_by(s: &str) -> Result<OrderBy<RunKey>> {
    let (ident, ascending) = parse_raw_order_by(s)?;
    let (entity, _, key) = run_identifier(ident.trim(), true)?;
    if entity == RunEntity::Dataset {
        return Err(Error::invalid("Invalid identifier type 'dataset'"));
    }
    Ok(OrderBy { key, ascending })
}

// ---------------------------------------------------------------------------------------------
// Experiments
// ---------------------------------------------------------------------------------------------

const EXPERIMENT_ATTRS_MSG: &str = "{'name', 'experiment_id', 'creation_time', 'last_update_time'}";

/// Experiments, registered models and model versions accept only these prefixes, compared
/// exactly (no backtick trimming, unlike runs).
fn attribute_or_tag_prefix(prefix: Option<&str>) -> Result<bool> {
    match prefix {
        None | Some("attribute") => Ok(false),
        Some("tag" | "tags") => Ok(true),
        Some(other) => Err(Error::invalid(format!(
            "Invalid entity type '{other}'. Valid entity types are ('attribute', 'tag', 'tags')"
        ))),
    }
}

fn experiment_identifier(ident: &str) -> Result<(ExperimentKey, String)> {
    let (prefix, key) = split_ident(ident);
    let is_tag = attribute_or_tag_prefix(prefix)?;
    let key = clean_key(key);
    if is_tag {
        return Ok((ExperimentKey::Tag(key.clone()), key));
    }
    let attr = match key.as_str() {
        "name" => ExperimentAttribute::Name,
        "experiment_id" => ExperimentAttribute::ExperimentId,
        "creation_time" => ExperimentAttribute::CreationTime,
        "last_update_time" => ExperimentAttribute::LastUpdateTime,
        _ => {
            return Err(Error::invalid(format!(
                "Invalid attribute key '{key}' specified. Valid keys are '{EXPERIMENT_ATTRS_MSG}'"
            )));
        }
    };
    Ok((ExperimentKey::Attribute(attr), key))
}

/// Experiment ids are integers in the official store; a value that Python's `int()` rejects
/// is an error there, so it is one here. The value is normalised to plain decimal so stores
/// can parse it with `str::parse::<i64>`.
fn experiment_id(s: &str) -> Result<String> {
    let err = || {
        Error::invalid(format!(
            "Invalid experiment ID '{s}'. Experiment ID must be a valid integer."
        ))
    };
    let t = s.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    // Python allows single underscores between digits.
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return Err(err());
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let n: i64 = clean.parse().map_err(|_| err())?;
    Ok(if neg { (-n).to_string() } else { n.to_string() })
}

fn experiment_clause(raw: RawClause) -> Result<Clause<ExperimentKey>> {
    let (key, key_text) = experiment_identifier(&raw.ident)?;
    if matches!(raw.op, RawOp::IsNull | RawOp::IsNotNull) {
        if !matches!(key, ExperimentKey::Tag(_)) {
            return Err(Error::invalid(format!(
                "IS NULL / IS NOT NULL is only supported for tags, not for attribute '{key_text}'"
            )));
        }
        let op = raw.op.comparator().unwrap_or(Comparator::IsNull);
        return Ok(Clause {
            key,
            op,
            value: Value::None,
        });
    }
    let attr = match &key {
        ExperimentKey::Tag(_) => {
            let RawValue::Text { raw: text, .. } = &raw.value else {
                return Err(Error::invalid(format!(
                    "Expected a quoted string value for tag (e.g. 'my-value'). Got value {}",
                    raw.value.raw()
                )));
            };
            let value = Value::String(quoted_string(text)?);
            let op = match raw.op.comparator() {
                Some(
                    c @ (Comparator::Eq | Comparator::Ne | Comparator::Like | Comparator::ILike),
                ) => c,
                _ => {
                    return Err(Error::invalid(format!(
                        "Invalid comparator for tag: {}",
                        raw.op.text()
                    )));
                }
            };
            return Ok(Clause { key, op, value });
        }
        ExperimentKey::Attribute(a) => *a,
    };
    if attr.is_numeric() {
        let RawValue::Number {
            value,
            integer,
            raw: text,
        } = &raw.value
        else {
            return Err(Error::invalid(format!(
                "Expected numeric value type for numeric attribute: {key_text}. Found {}",
                raw.value.raw()
            )));
        };
        let op = check_comparator(&raw.op, NUMERIC_CMPS, NUMERIC_CMPS_MSG)?;
        // The official store keeps these as integer milliseconds and refuses fractions.
        if !integer {
            return Err(Error::invalid(format!(
                "Invalid value for numeric attribute '{key_text}': '{text}'"
            )));
        }
        return Ok(Clause {
            key,
            op,
            value: Value::Number(*value),
        });
    }
    let value = match &raw.value {
        RawValue::Text { raw, .. } => Value::String(quoted_string(raw)?),
        RawValue::List { items, .. } => {
            if attr != ExperimentAttribute::ExperimentId {
                return Err(list_not_supported("['experiment_id']"));
            }
            list_value(items)?
        }
        v => {
            return Err(Error::invalid(format!(
                "Expected a quoted string value for attributes. Got value {}",
                v.raw()
            )));
        }
    };
    if attr == ExperimentAttribute::ExperimentId {
        let op = match raw.op.comparator() {
            Some(c @ (Comparator::Eq | Comparator::Ne | Comparator::In | Comparator::NotIn)) => c,
            _ => {
                return Err(Error::invalid(format!(
                    "Invalid comparator for experiment_id: {}",
                    raw.op.text()
                )));
            }
        };
        let value = match value {
            Value::String(s) => Value::String(experiment_id(&s)?),
            Value::List(v) => {
                Value::List(v.iter().map(|s| experiment_id(s)).collect::<Result<_>>()?)
            }
            other => other,
        };
        return Ok(Clause { key, op, value });
    }
    let op = check_comparator(&raw.op, STRING_CMPS, STRING_CMPS_MSG)?;
    Ok(Clause { key, op, value })
}

/// Parses a `search_experiments` filter. An empty or blank filter matches everything.
pub fn parse_experiment_filter(s: &str) -> Result<ExperimentFilter> {
    parse_raw_filter(s)?
        .into_iter()
        .map(experiment_clause)
        .collect()
}

/// Parses one `search_experiments` order-by element; only the four attributes are orderable.
pub fn parse_experiment_order_by(s: &str) -> Result<OrderBy<ExperimentKey>> {
    let (ident, ascending) = parse_raw_order_by(s)?;
    let (key, _) = experiment_identifier(ident.trim())?;
    if matches!(key, ExperimentKey::Tag(_)) {
        return Err(Error::invalid("Invalid order_by entity: tag"));
    }
    Ok(OrderBy { key, ascending })
}

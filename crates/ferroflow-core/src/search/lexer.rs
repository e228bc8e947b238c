//! Tokens of MLflow's search language.
//!
//! MLflow runs filters through a general SQL tokenizer (sqlparse); the token boundaries below are
//! the ones that tokenizer draws for the inputs MLflow accepts, so that the parser can accept and
//! reject the same strings. Quoted text is kept raw (quotes and escape sequences included)
//! because MLflow never unescapes scalar values: `'it''s'` compares against `it''s`.

use std::ops::Range;

use crate::error::{Error, Result};

/// Words with a grammatical role. Matched case-insensitively, and only as bare words: after a
/// dot (`params.in`) or inside quotes they are ordinary names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keyword {
    And,
    Or,
    Not,
    In,
    Is,
    Null,
    Like,
    ILike,
    Asc,
    Desc,
}

impl Keyword {
    fn from_word(word: &str) -> Option<Self> {
        const TABLE: [(&str, Keyword); 10] = [
            ("AND", Keyword::And),
            ("OR", Keyword::Or),
            ("NOT", Keyword::Not),
            ("IN", Keyword::In),
            ("IS", Keyword::Is),
            ("NULL", Keyword::Null),
            ("LIKE", Keyword::Like),
            ("ILIKE", Keyword::ILike),
            ("ASC", Keyword::Asc),
            ("DESC", Keyword::Desc),
        ];
        TABLE
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(word))
            .map(|&(_, k)| k)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// A name, possibly dotted, whose segments may be quoted: `metrics.rmse`,
    /// `` tags.`mlflow.runName` ``, `"run name"`. A lone double-quoted segment is also how a
    /// double-quoted string value arrives (SQL treats `"x"` as a name), so values accept it too.
    Ident,
    /// A single-quoted string.
    Str,
    /// A number; `integer` records whether it was written without a fraction or exponent,
    /// which some numeric attributes require.
    Number {
        integer: bool,
    },
    /// A run of comparison characters (`=`, `!=`, `<=`, but also `<>`, `==`, `~` which MLflow
    /// tokenizes as comparators and then rejects by name).
    Op,
    Keyword(Keyword),
    LParen,
    RParen,
    Comma,
    /// Anything else (`;`, `$`, a lone `-`, an unterminated quote). Never valid; kept so the
    /// parser can quote it in its error message.
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    /// Byte range in the source string.
    pub span: Range<usize>,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.span.clone()]
    }
}

fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_op_char(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '~' | '!')
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.src[self.pos..].chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat_while(&mut self, f: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&f) {
            self.bump();
        }
    }

    /// Consumes a quoted section starting at the opening `quote`. Inside, a doubled quote and a
    /// backslash-escaped quote do not terminate it (both are accepted by MLflow's tokenizer).
    /// Returns false if the input ends first.
    fn quoted(&mut self, quote: char) -> bool {
        self.bump();
        loop {
            match self.bump() {
                None => return false,
                Some('\\') if quote != '`' => {
                    self.bump();
                }
                Some(c) if c == quote => {
                    if self.peek() == Some(quote) {
                        self.bump();
                    } else {
                        return true;
                    }
                }
                Some(_) => {}
            }
        }
    }

    fn unterminated(&self, start: usize) -> Error {
        Error::invalid(format!(
            "Invalid filter: unterminated quoted text starting at {:?}",
            &self.src[start..]
        ))
    }

    /// One segment of a dotted name. `allow_single` admits `'...'`, which MLflow accepts for a
    /// key after the dot (`metrics.'f1 score'`) but not as a whole name.
    fn segment(&mut self, allow_single: bool) -> Result<bool> {
        let start = self.pos;
        match self.peek() {
            Some(q @ ('`' | '"')) => {
                if !self.quoted(q) {
                    return Err(self.unterminated(start));
                }
            }
            Some('\'') if allow_single => {
                if !self.quoted('\'') {
                    return Err(self.unterminated(start));
                }
            }
            Some(c) if is_word_char(c) => self.eat_while(is_word_char),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn ident(&mut self) -> Result<()> {
        self.segment(false)?;
        while self.peek() == Some('.') {
            self.bump();
            self.segment(true)?;
        }
        Ok(())
    }

    /// Numbers as MLflow's tokenizer sees them: `-?\d+(\.\d+)?[eE]-?\d+`, `-?\d+\.\d*`,
    /// `-?\.\d+`, `-?\d+`. A number running straight into a letter (`1abc`) is a name.
    fn number(&mut self) -> TokenKind {
        let start = self.pos;
        if self.peek() == Some('-') {
            self.bump();
        }
        self.eat_while(|c| c.is_ascii_digit());
        let int_end = self.pos;
        let mut integer = true;
        let had_int = int_end > start && !self.src[start..int_end].ends_with('-');
        if self.peek() == Some('.') {
            self.bump();
            let frac_start = self.pos;
            self.eat_while(|c| c.is_ascii_digit());
            integer = false;
            // `.5` needs digits after the dot; `1.` does not.
            if !had_int && self.pos == frac_start {
                self.pos = int_end;
                return TokenKind::Other;
            }
        }
        let frac_ok = integer || self.src[int_end..self.pos].len() > 1;
        if had_int && frac_ok && matches!(self.peek(), Some('e' | 'E')) {
            let save = self.pos;
            self.bump();
            if self.peek() == Some('-') {
                self.bump();
            }
            let exp_start = self.pos;
            self.eat_while(|c| c.is_ascii_digit());
            if self.pos > exp_start {
                integer = false;
            } else {
                self.pos = save;
            }
        }
        if self.peek().is_some_and(is_word_char) {
            self.eat_while(is_word_char);
            return TokenKind::Ident;
        }
        TokenKind::Number { integer }
    }

    fn next_token(&mut self) -> Result<Option<Token>> {
        self.eat_while(char::is_whitespace);
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let kind = match c {
            '(' => {
                self.bump();
                TokenKind::LParen
            }
            ')' => {
                self.bump();
                TokenKind::RParen
            }
            ',' => {
                self.bump();
                TokenKind::Comma
            }
            '\'' => {
                if !self.quoted('\'') {
                    return Err(self.unterminated(start));
                }
                TokenKind::Str
            }
            '`' | '"' => {
                self.ident()?;
                TokenKind::Ident
            }
            c if is_op_char(c) => {
                self.eat_while(is_op_char);
                TokenKind::Op
            }
            c if c.is_ascii_digit() => self.number(),
            '-' | '.'
                if self.peek_at(1).is_some_and(|d| d.is_ascii_digit())
                    || (c == '-'
                        && self.peek_at(1) == Some('.')
                        && self.peek_at(2).is_some_and(|d| d.is_ascii_digit())) =>
            {
                self.number()
            }
            c if is_word_start(c) => {
                self.ident()?;
                match Keyword::from_word(&self.src[start..self.pos]) {
                    Some(k) => TokenKind::Keyword(k),
                    None => TokenKind::Ident,
                }
            }
            _ => {
                self.bump();
                TokenKind::Other
            }
        };
        Ok(Some(Token {
            kind,
            span: start..self.pos,
        }))
    }
}

/// Splits `src` into tokens, skipping whitespace. Fails only on an unterminated quote.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>> {
    let mut lexer = Lexer { src, pos: 0 };
    let mut out = Vec::new();
    while let Some(tok) = lexer.next_token()? {
        out.push(tok);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, String)> {
        tokenize(src)
            .unwrap()
            .into_iter()
            .map(|t| (t.kind.clone(), t.text(src).to_string()))
            .collect()
    }

    fn k(kind: TokenKind, text: &str) -> (TokenKind, String) {
        (kind, text.to_string())
    }

    const INT: TokenKind = TokenKind::Number { integer: true };
    const FLOAT: TokenKind = TokenKind::Number { integer: false };

    #[test]
    fn identifiers_keep_dots_and_quoted_segments() {
        use TokenKind::*;
        let cases: &[(&str, &str)] = &[
            ("metrics.rmse", "metrics.rmse"),
            ("tags.mlflow.runName", "tags.mlflow.runName"),
            ("metrics.`f1 score`", "metrics.`f1 score`"),
            ("metrics.\"f1 score\"", "metrics.\"f1 score\""),
            ("metrics.'f1 score'", "metrics.'f1 score'"),
            ("`metrics`.`a b`", "`metrics`.`a b`"),
            ("\"run name\"", "\"run name\""),
            ("metrics.1a", "metrics.1a"),
            ("params.ü", "params.ü"),
            ("metrics.a.", "metrics.a."),
            ("metrics.`a``b`", "metrics.`a``b`"),
            ("params.in", "params.in"),
        ];
        for (src, text) in cases {
            assert_eq!(kinds(src), vec![k(Ident, text)], "{src}");
        }
    }

    #[test]
    fn numbers_follow_the_sql_tokenizer() {
        use TokenKind::*;
        let cases: &[(&str, TokenKind)] = &[
            ("1", INT),
            ("-1", INT),
            ("1.5", FLOAT),
            ("1.", FLOAT),
            (".5", FLOAT),
            ("-.5", FLOAT),
            ("1e5", FLOAT),
            ("1E-5", FLOAT),
            ("-1.5e3", FLOAT),
            ("1abc", Ident),
            ("1_000", Ident),
        ];
        for (src, kind) in cases {
            assert_eq!(kinds(src), vec![k(kind.clone(), src)], "{src}");
        }
        // `1e+5` is not one number: MLflow rejects it as a metric value.
        assert_eq!(kinds("1e+5")[0], k(Ident, "1e"));
        assert_eq!(kinds("- 1"), vec![k(Other, "-"), k(INT, "1")]);
    }

    #[test]
    fn operators_keywords_and_punctuation() {
        use super::Keyword as Kw;
        use TokenKind::*;
        assert_eq!(
            kinds("a>=1 AND b<>'x' or c == \"y\""),
            vec![
                k(Ident, "a"),
                k(Op, ">="),
                k(INT, "1"),
                k(Keyword(Kw::And), "AND"),
                k(Ident, "b"),
                k(Op, "<>"),
                k(Str, "'x'"),
                k(Keyword(Kw::Or), "or"),
                k(Ident, "c"),
                k(Op, "=="),
                k(Ident, "\"y\""),
            ]
        );
        assert_eq!(
            kinds("run_id not In ('a','b');"),
            vec![
                k(Ident, "run_id"),
                k(Keyword(Kw::Not), "not"),
                k(Keyword(Kw::In), "In"),
                k(LParen, "("),
                k(Str, "'a'"),
                k(Comma, ","),
                k(Str, "'b'"),
                k(RParen, ")"),
                k(Other, ";"),
            ]
        );
        assert_eq!(kinds("x ilike 'a'")[1], k(Keyword(Kw::ILike), "ilike"));
    }

    #[test]
    fn strings_keep_escapes_raw() {
        use TokenKind::*;
        assert_eq!(kinds("'it''s'"), vec![k(Str, "'it''s'")]);
        assert_eq!(kinds(r"'it\'s'"), vec![k(Str, r"'it\'s'")]);
        assert_eq!(kinds("\"a\"\"b\""), vec![k(Ident, "\"a\"\"b\"")]);
        assert_eq!(kinds("''"), vec![k(Str, "''")]);
    }

    #[test]
    fn unterminated_quotes_are_errors() {
        for src in ["'abc", "metrics.`abc", "\"abc", "params.'x", r"'abc\'"] {
            let err = tokenize(src).unwrap_err();
            assert_eq!(
                err.kind,
                crate::error::ErrorKind::InvalidParameterValue,
                "{src}"
            );
            assert!(
                err.message.contains("unterminated"),
                "{src}: {}",
                err.message
            );
        }
    }
}

//! MLflow's search language: a lexer, a parser and the typed AST it produces.
//!
//! MLflow parses filters with a general SQL tokenizer and a pile of special cases; here the
//! grammar is explicit. A filter is a sequence of clauses joined by `AND` (MLflow tolerates stray
//! or doubled `AND`s, and so do we); a clause is `identifier comparator
//! value`. Errors carry a message that names the offending part, and map to
//! `INVALID_PARAMETER_VALUE`.

pub mod ast;
mod lexer;
pub mod limits;
mod parser;
mod registry_parser;

pub use ast::*;
pub use parser::{
    parse_experiment_filter, parse_experiment_order_by, parse_run_filter, parse_run_order_by,
};
pub use registry_parser::{
    model_version_filter_selects_prompts, parse_logged_model_filter, parse_model_version_filter,
    parse_model_version_order_by, parse_model_version_order_by_list, parse_registered_model_filter,
    parse_registered_model_order_by, parse_registered_model_order_by_list,
    registered_model_filter_selects_prompts,
};

//! Table-driven and property tests for the search-filter parser. Expected results were
//! checked against the official server (mlflow 3.17.2, SQLite store).

mod common;

use common::*;
use ferroflow_core::search::*;
use proptest::prelude::*;

use Comparator as C;
use RunAttribute as RA;

fn metric(k: &str) -> RunKey {
    RunKey::Metric(k.into())
}
fn param(k: &str) -> RunKey {
    RunKey::Param(k.into())
}
fn tag(k: &str) -> RunKey {
    RunKey::Tag(k.into())
}
fn attr(a: RunAttribute) -> RunKey {
    RunKey::Attribute(a)
}

#[test]
fn run_filters_accepted() {
    let cases: Vec<(&str, RunFilter)> = vec![
        ("", vec![]),
        ("   ", vec![]),
        (
            "metrics.rmse < 1",
            vec![clause(metric("rmse"), C::Lt, n(1.0))],
        ),
        (
            "metric.rmse >= -1.5e3",
            vec![clause(metric("rmse"), C::Ge, n(-1500.0))],
        ),
        ("metrics.a > .5", vec![clause(metric("a"), C::Gt, n(0.5))]),
        ("metrics.a != 1.", vec![clause(metric("a"), C::Ne, n(1.0))]),
        (
            "metrics.a <= 1E-5",
            vec![clause(metric("a"), C::Le, n(1e-5))],
        ),
        (
            "metrics.a = -.25",
            vec![clause(metric("a"), C::Eq, n(-0.25))],
        ),
        ("metrics.a>1", vec![clause(metric("a"), C::Gt, n(1.0))]),
        (
            "metrics.`f1 score` > 0",
            vec![clause(metric("f1 score"), C::Gt, n(0.0))],
        ),
        (
            "metrics.\"f1 score\" > 0",
            vec![clause(metric("f1 score"), C::Gt, n(0.0))],
        ),
        (
            "metrics.'f1 score' > 0",
            vec![clause(metric("f1 score"), C::Gt, n(0.0))],
        ),
        ("`metrics`.a > 0", vec![clause(metric("a"), C::Gt, n(0.0))]),
        ("metrics.1a > 0", vec![clause(metric("1a"), C::Gt, n(0.0))]),
        (
            "params.alpha = '0.5'",
            vec![clause(param("alpha"), C::Eq, s("0.5"))],
        ),
        (
            "param.alpha = \"0.5\"",
            vec![clause(param("alpha"), C::Eq, s("0.5"))],
        ),
        (
            "parameter.a != 'x'",
            vec![clause(param("a"), C::Ne, s("x"))],
        ),
        (
            "parameters.a LIKE 'x%'",
            vec![clause(param("a"), C::Like, s("x%"))],
        ),
        (
            "params.a ilike '%X'",
            vec![clause(param("a"), C::ILike, s("%X"))],
        ),
        (
            "params.a IS NULL",
            vec![clause(param("a"), C::IsNull, Value::None)],
        ),
        (
            "params.a is not null",
            vec![clause(param("a"), C::IsNotNull, Value::None)],
        ),
        ("params._x = 'a'", vec![clause(param("_x"), C::Eq, s("a"))]),
        ("params.ü = 'a'", vec![clause(param("ü"), C::Eq, s("a"))]),
        // MLflow keeps escapes in scalar values verbatim.
        (
            "params.a = 'it''s'",
            vec![clause(param("a"), C::Eq, s("it''s"))],
        ),
        (
            r"params.a = 'it\'s'",
            vec![clause(param("a"), C::Eq, s(r"it\'s"))],
        ),
        ("params.a = ''", vec![clause(param("a"), C::Eq, s(""))]),
        (
            "tags.`mlflow.runName` ILIKE 'r%'",
            vec![clause(tag("mlflow.runName"), C::ILike, s("r%"))],
        ),
        (
            "tags.mlflow.runName = 'r'",
            vec![clause(tag("mlflow.runName"), C::Eq, s("r"))],
        ),
        (
            "tag.a IS NOT NULL",
            vec![clause(tag("a"), C::IsNotNull, Value::None)],
        ),
        (
            "tags.\"a b\" = 'x'",
            vec![clause(tag("a b"), C::Eq, s("x"))],
        ),
        (
            "attributes.status = 'FINISHED'",
            vec![clause(attr(RA::Status), C::Eq, s("FINISHED"))],
        ),
        (
            "attribute.status != 'x'",
            vec![clause(attr(RA::Status), C::Ne, s("x"))],
        ),
        (
            "attr.user_id LIKE 'u%'",
            vec![clause(attr(RA::UserId), C::Like, s("u%"))],
        ),
        (
            "run.artifact_uri ILIKE 's3%'",
            vec![clause(attr(RA::ArtifactUri), C::ILike, s("s3%"))],
        ),
        (
            "run_name = 'r'",
            vec![clause(attr(RA::RunName), C::Eq, s("r"))],
        ),
        (
            "`run name` = 'r'",
            vec![clause(attr(RA::RunName), C::Eq, s("r"))],
        ),
        (
            "\"Run name\" = 'r'",
            vec![clause(attr(RA::RunName), C::Eq, s("r"))],
        ),
        (
            "attributes.`Run Name` = 'r'",
            vec![clause(attr(RA::RunName), C::Eq, s("r"))],
        ),
        (
            "start_time > 5",
            vec![clause(attr(RA::StartTime), C::Gt, n(5.0))],
        ),
        (
            "created >= 5",
            vec![clause(attr(RA::StartTime), C::Ge, n(5.0))],
        ),
        (
            "Created < 5.5",
            vec![clause(attr(RA::StartTime), C::Lt, n(5.5))],
        ),
        (
            "end_time <= 5",
            vec![clause(attr(RA::EndTime), C::Le, n(5.0))],
        ),
        (
            "run_id = 'abc'",
            vec![clause(attr(RA::RunId), C::Eq, s("abc"))],
        ),
        (
            "run_id IN ('a', 'b')",
            vec![clause(attr(RA::RunId), C::In, list(&["a", "b"]))],
        ),
        (
            "run_id in ('a',)",
            vec![clause(attr(RA::RunId), C::In, list(&["a"]))],
        ),
        (
            "run_id NOT  IN (\"a\")",
            vec![clause(attr(RA::RunId), C::NotIn, list(&["a"]))],
        ),
        // IN lists are read as Python literals: adjacent strings join, escapes are decoded.
        (
            "run_id IN ('a' 'b', 'c')",
            vec![clause(attr(RA::RunId), C::In, list(&["ab", "c"]))],
        ),
        (
            "run_id IN ('a''b')",
            vec![clause(attr(RA::RunId), C::In, list(&["ab"]))],
        ),
        (
            r"run_id IN ('a\'b', 'x\x41\n')",
            vec![clause(attr(RA::RunId), C::In, list(&["a'b", "xA\n"]))],
        ),
        (
            "dataset.name = 'd'",
            vec![clause(RunKey::Dataset(DatasetField::Name), C::Eq, s("d"))],
        ),
        (
            "datasets.digest NOT IN ('a', 'b')",
            vec![clause(
                RunKey::Dataset(DatasetField::Digest),
                C::NotIn,
                list(&["a", "b"]),
            )],
        ),
        (
            "datasets.context LIKE 'tr%'",
            vec![clause(
                RunKey::Dataset(DatasetField::Context),
                C::Like,
                s("tr%"),
            )],
        ),
        (
            "metrics.rmse < 1 and params.alpha = '0.5' and tags.`mlflow.runName` ILIKE 'r%' and attributes.status = 'FINISHED'",
            vec![
                clause(metric("rmse"), C::Lt, n(1.0)),
                clause(param("alpha"), C::Eq, s("0.5")),
                clause(tag("mlflow.runName"), C::ILike, s("r%")),
                clause(attr(RA::Status), C::Eq, s("FINISHED")),
            ],
        ),
        // MLflow's leniency about AND placement is kept.
        ("and", vec![]),
        (
            "AND metrics.a > 1 AND AND",
            vec![clause(metric("a"), C::Gt, n(1.0))],
        ),
        (
            "params.a='x'and params.b='y'",
            vec![
                clause(param("a"), C::Eq, s("x")),
                clause(param("b"), C::Eq, s("y")),
            ],
        ),
        (
            "metrics.a > 1 metrics.b > 2",
            vec![
                clause(metric("a"), C::Gt, n(1.0)),
                clause(metric("b"), C::Gt, n(2.0)),
            ],
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_run_filter(input), Ok(expected), "{input:?}");
    }
}

/// `(input, fragment the error message must contain)`.
#[test]
fn run_filters_rejected() {
    let cases: &[(&str, &str)] = &[
        (
            "foo.bar = 1",
            "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
        ),
        ("METRICS.a > 1", "Invalid entity type 'METRICS'"),
        ("\"tags.a\" = 'x'", "Invalid entity type '\"tags'"),
        (
            "attributes.foo = 'x'",
            "Invalid attribute key 'foo' specified",
        ),
        ("dataset.foo = 'x'", "Invalid dataset key 'foo' specified"),
        (
            "metrics.a = '5'",
            "Expected numeric value type for metric. Found '5'",
        ),
        (
            "metrics.a = NULL",
            "Expected numeric value type for metric. Found NULL",
        ),
        (
            "metrics.a IN (1)",
            "Expected numeric value type for metric. Found (1)",
        ),
        (
            "metrics.a > 1abc",
            "Expected numeric value type for metric. Found 1abc",
        ),
        ("metrics.a LIKE 1", "Invalid comparator 'LIKE' not one of"),
        ("metrics.a <> 1", "Invalid comparator '<>'"),
        ("metrics.a == 1", "Invalid comparator '=='"),
        ("metrics.a ~ 1", "Invalid comparator '~'"),
        (
            "params.a = 5",
            "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 5",
        ),
        ("tags.a = 5", "Expected a quoted string value for tag"),
        (
            "params.a = NULL",
            "Expected a quoted string value for parameter (e.g. 'my-value'). Got value NULL",
        ),
        (
            "params.a = x",
            "Parameter value is either not quoted or unidentified quote types used for string value x",
        ),
        ("run_id = `x`", "string value `x`"),
        ("params.a > 'x'", "Invalid comparator '>' not one of"),
        ("params.a NOT LIKE 'x'", "Invalid comparator 'NOT LIKE'"),
        (
            "params.a IN ('x')",
            "Expected a quoted string value for parameter",
        ),
        ("status > 'a'", "Invalid comparator '>' not one of"),
        (
            "status IN ('a')",
            "Only ['run_id'] attributes support comparison with a list of quoted string values.",
        ),
        ("`run name` IN ('a')", "Only ['run_id'] attributes support"),
        (
            "status = 5",
            "Expected a quoted string value for attributes. Got value 5",
        ),
        (
            "status IS NULL",
            "IS NULL / IS NOT NULL is only supported for tags and params, not for 'attribute' 'status'",
        ),
        ("metrics.a IS NOT NULL", "not for 'metric' 'a'"),
        ("datasets.digest IS NULL", "not for 'dataset' 'digest'"),
        (
            "start_time = '5'",
            "Expected numeric value type for numeric attribute: start_time. Found '5'",
        ),
        (
            "created IN (5)",
            "Expected numeric value type for numeric attribute: created",
        ),
        ("start_time LIKE 5", "Invalid comparator 'LIKE' not one of"),
        ("datasets.name > 'x'", "Invalid comparator '>' not one of"),
        (
            "datasets.digest = 5",
            "Expected a quoted string value for dataset attributes. Got value 5",
        ),
        (
            "run_id IN ()",
            "expected a non-empty list of string values, but got empty list",
        ),
        ("run_id IN (1, 2)", "but got different type in list: (1, 2)"),
        ("run_id IN ('a',, 'b')", "but got ill-formed list"),
        ("run_id IN (a, 'b')", "but got ill-formed list"),
        (r"run_id IN ('\x4')", "but got ill-formed list"),
        (
            "run_id IN 'a'",
            "Invalid clause(s) in filter string: 'run_id', 'IN', ''a''",
        ),
        ("run_id IN ('a'", "Invalid clause(s) in filter string"),
        (
            "metrics.a > 1 OR metrics.b > 1",
            "Invalid clause(s) in filter string: 'OR'",
        ),
        (
            "metrics.a > 1 or",
            "Invalid clause(s) in filter string: 'or'",
        ),
        (
            "(metrics.a > 1)",
            "Invalid clause(s) in filter string: '(metrics.a > 1)'",
        ),
        ("metrics.a = 1 AND (metrics.b = 2)", "'(metrics.b = 2)'"),
        (
            "metrics.a > 1; metrics.b > 1",
            "Search filter contained multiple expression",
        ),
        ("metrics.a > 1;", "Invalid clause(s) in filter string: ';'"),
        (
            "metrics.a",
            "Invalid clause(s) in filter string: 'metrics.a'",
        ),
        (
            "metrics.a >",
            "Invalid clause(s) in filter string: 'metrics.a', '>'",
        ),
        ("= 1", "Invalid clause(s) in filter string: '=', '1'"),
        (
            "IS NULL",
            "Invalid clause(s) in filter string: 'IS', 'NULL'",
        ),
        (
            "params.a IS 'x'",
            "Invalid clause(s) in filter string: 'params.a', 'IS', ''x''",
        ),
        // MLflow's tokenizer only knows `NOT NULL` with a single space.
        (
            "params.a IS NOT  NULL",
            "Invalid clause(s) in filter string",
        ),
        ("metrics.a > - 1", "Invalid clause(s) in filter string"),
        ("metrics.a > 1e+5", "Invalid clause(s) in filter string"),
        ("params.a = 'unterminated", "unterminated"),
        ("metrics.`a > 1", "unterminated"),
        (
            "run name = 'x'",
            "Invalid clause(s) in filter string: 'run'",
        ),
    ];
    for (input, fragment) in cases {
        assert_rejected(parse_run_filter(input), input, fragment);
    }
}

#[test]
fn run_order_by() {
    let ok: &[(&str, RunKey, bool)] = &[
        ("metrics.rmse DESC", metric("rmse"), false),
        ("metrics.rmse desc", metric("rmse"), false),
        ("start_time", attr(RA::StartTime), true),
        ("params.`a b` asc", param("a b"), true),
        ("metrics.\"a b\" DESC", metric("a b"), false),
        ("tags.`mlflow.runName` ASC", tag("mlflow.runName"), true),
        ("Created DESC", attr(RA::StartTime), false),
        ("created", attr(RA::StartTime), true),
        ("attr.status", attr(RA::Status), true),
        ("run_id DeSc", attr(RA::RunId), false),
        ("attributes.run_name", attr(RA::RunName), true),
        ("end_time ASC", attr(RA::EndTime), true),
        ("user_id", attr(RA::UserId), true),
        ("artifact_uri", attr(RA::ArtifactUri), true),
    ];
    for (input, key, ascending) in ok {
        assert_eq!(
            parse_run_order_by(input),
            Ok(OrderBy {
                key: key.clone(),
                ascending: *ascending
            }),
            "{input:?}"
        );
    }
    let bad: &[(&str, &str)] = &[
        ("", "Invalid order_by clause ''. Could not be parsed."),
        ("  metrics.a", "Could not be parsed"),
        ("metrics.a DESC  ", "Could not be parsed"),
        ("metrics.a DESC NULLS", "Could not be parsed"),
        ("metrics.a,metrics.b", "Could not be parsed"),
        ("metrics.a > 1", "Could not be parsed"),
        ("start_time desc asc", "Could not be parsed"),
        ("(metrics.a)", "Could not be parsed"),
        (
            "metrics.a sideways",
            "Invalid ordering key in order_by clause 'metrics.a sideways'.",
        ),
        ("datasets.name", "Invalid identifier type 'dataset'"),
        (
            "`run name` desc",
            "Invalid attribute key 'run name' specified",
        ),
        ("timestamp", "Invalid attribute key 'timestamp' specified"),
        ("foo.a", "Invalid entity type 'foo'"),
    ];
    for (input, fragment) in bad {
        assert_rejected(parse_run_order_by(input), input, fragment);
    }
}

fn eattr(a: ExperimentAttribute) -> ExperimentKey {
    ExperimentKey::Attribute(a)
}
fn etag(k: &str) -> ExperimentKey {
    ExperimentKey::Tag(k.into())
}

#[test]
fn experiment_filters() {
    use ExperimentAttribute as EA;
    let ok: Vec<(&str, ExperimentFilter)> = vec![
        ("", vec![]),
        ("name = 'x'", vec![clause(eattr(EA::Name), C::Eq, s("x"))]),
        (
            "attribute.name LIKE 'x%'",
            vec![clause(eattr(EA::Name), C::Like, s("x%"))],
        ),
        // Keywords are case-insensitive here too (the official server rejects lower case for
        // experiments only, by accident of implementation).
        (
            "name ilike 'x%'",
            vec![clause(eattr(EA::Name), C::ILike, s("x%"))],
        ),
        (
            "experiment_id = '12'",
            vec![clause(eattr(EA::ExperimentId), C::Eq, s("12"))],
        ),
        // Normalised the way Python's int() reads it.
        (
            "experiment_id != ' +1_0 '",
            vec![clause(eattr(EA::ExperimentId), C::Ne, s("10"))],
        ),
        (
            "experiment_id IN ('1', '-2')",
            vec![clause(eattr(EA::ExperimentId), C::In, list(&["1", "-2"]))],
        ),
        (
            "experiment_id NOT IN ('1')",
            vec![clause(eattr(EA::ExperimentId), C::NotIn, list(&["1"]))],
        ),
        (
            "creation_time > 5",
            vec![clause(eattr(EA::CreationTime), C::Gt, n(5.0))],
        ),
        (
            "last_update_time <= -5",
            vec![clause(eattr(EA::LastUpdateTime), C::Le, n(-5.0))],
        ),
        ("tags.k = 'v'", vec![clause(etag("k"), C::Eq, s("v"))]),
        (
            "tag.`k k` != \"v\"",
            vec![clause(etag("k k"), C::Ne, s("v"))],
        ),
        (
            "tags.k IS NULL",
            vec![clause(etag("k"), C::IsNull, Value::None)],
        ),
        (
            "tags.k IS NOT NULL and name != 'x'",
            vec![
                clause(etag("k"), C::IsNotNull, Value::None),
                clause(eattr(EA::Name), C::Ne, s("x")),
            ],
        ),
    ];
    for (input, expected) in ok {
        assert_eq!(parse_experiment_filter(input), Ok(expected), "{input:?}");
    }
    let bad: &[(&str, &str)] = &[
        (
            "params.a = 'a'",
            "Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')",
        ),
        ("attributes.name = 'x'", "Invalid entity type 'attributes'"),
        ("`tag`.a = 'x'", "Invalid entity type '`tag`'"),
        ("foo = 'x'", "Invalid attribute key 'foo' specified"),
        (
            "name IN ('a')",
            "Only ['experiment_id'] attributes support comparison with a list",
        ),
        (
            "name = 5",
            "Expected a quoted string value for attributes. Got value 5",
        ),
        ("name > 'x'", "Invalid comparator '>' not one of"),
        (
            "name IS NULL",
            "IS NULL / IS NOT NULL is only supported for tags, not for attribute 'name'",
        ),
        (
            "experiment_id = 'x1'",
            "Invalid experiment ID 'x1'. Experiment ID must be a valid integer.",
        ),
        ("experiment_id IN ('1', 'a')", "Invalid experiment ID 'a'"),
        ("experiment_id = '1__0'", "Invalid experiment ID"),
        (
            "experiment_id = '99999999999999999999'",
            "Invalid experiment ID",
        ),
        (
            "experiment_id LIKE '1'",
            "Invalid comparator for experiment_id: LIKE",
        ),
        (
            "experiment_id > '5'",
            "Invalid comparator for experiment_id: >",
        ),
        ("experiment_id NOT IN ()", "but got empty list"),
        (
            "creation_time > 1.5",
            "Invalid value for numeric attribute 'creation_time': '1.5'",
        ),
        (
            "creation_time = '5'",
            "Expected numeric value type for numeric attribute: creation_time",
        ),
        (
            "creation_time LIKE 5",
            "Invalid comparator 'LIKE' not one of",
        ),
        ("tags.a > 'x'", "Invalid comparator for tag: >"),
        (
            "tags.a = 5",
            "Expected a quoted string value for tag (e.g. 'my-value'). Got value 5",
        ),
        (
            "name = 'a' OR name = 'b'",
            "Invalid clause(s) in filter string: 'OR'",
        ),
    ];
    for (input, fragment) in bad {
        assert_rejected(parse_experiment_filter(input), input, fragment);
    }
}

#[test]
fn experiment_order_by() {
    use ExperimentAttribute as EA;
    let ok: &[(&str, ExperimentAttribute, bool)] = &[
        ("name", EA::Name, true),
        ("name desc", EA::Name, false),
        ("attribute.name DESC", EA::Name, false),
        ("`name` ASC", EA::Name, true),
        ("experiment_id", EA::ExperimentId, true),
        ("creation_time DESC", EA::CreationTime, false),
        ("last_update_time", EA::LastUpdateTime, true),
    ];
    for (input, a, ascending) in ok {
        assert_eq!(
            parse_experiment_order_by(input),
            Ok(OrderBy {
                key: eattr(*a),
                ascending: *ascending
            }),
            "{input:?}"
        );
    }
    let bad: &[(&str, &str)] = &[
        ("tags.a", "Invalid order_by entity: tag"),
        ("foo", "Invalid attribute key 'foo' specified"),
        ("`attribute`.name", "Invalid entity type '`attribute`'"),
        ("name DESC ASC", "Could not be parsed"),
        ("name sideways", "Invalid ordering key"),
    ];
    for (input, fragment) in bad {
        assert_rejected(parse_experiment_order_by(input), input, fragment);
    }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// Keys as a user could write them inside backticks.
fn key() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_][a-zA-Z0-9_ .:/-]{0,12}"
}

/// String values without the quote characters and backslashes whose handling differs
/// between scalar and list values.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _%.,()=<>!-]{0,12}"
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<i32>().prop_map(f64::from),
        -1e12f64..1e12,
        any::<f64>().prop_filter("finite", |f| f.is_finite())
    ]
}

fn run_clause() -> impl Strategy<Value = Clause<RunKey>> {
    let num_ops: &'static [Comparator] = &[C::Eq, C::Ne, C::Lt, C::Le, C::Gt, C::Ge];
    let tag_ops: &'static [Comparator] = &[C::Eq, C::Ne, C::Like, C::ILike];
    let str_attrs: &'static [RunAttribute] = &[
        RA::RunId,
        RA::RunName,
        RA::Status,
        RA::UserId,
        RA::ArtifactUri,
    ];
    let fields: &'static [DatasetField] = &[
        DatasetField::Name,
        DatasetField::Digest,
        DatasetField::Context,
    ];
    prop_oneof![
        (key(), pick(num_ops), finite()).prop_map(|(k, op, v)| clause(RunKey::Metric(k), op, n(v))),
        (key(), pick(tag_ops), text(), any::<bool>()).prop_map(|(k, op, v, p)| {
            clause(if p { RunKey::Param(k) } else { RunKey::Tag(k) }, op, s(&v))
        }),
        (key(), pick(&[C::IsNull, C::IsNotNull][..]), any::<bool>()).prop_map(|(k, op, p)| {
            clause(
                if p { RunKey::Param(k) } else { RunKey::Tag(k) },
                op,
                Value::None,
            )
        }),
        (pick(str_attrs), pick(tag_ops), text()).prop_map(|(a, op, v)| clause(attr(a), op, s(&v))),
        (
            pick(&[RA::StartTime, RA::EndTime][..]),
            pick(num_ops),
            finite()
        )
            .prop_map(|(a, op, v)| clause(attr(a), op, n(v))),
        (
            pick(&[C::In, C::NotIn][..]),
            prop::collection::vec(text(), 1..4)
        )
            .prop_map(|(op, v)| clause(attr(RA::RunId), op, Value::List(v))),
        (pick(fields), pick(tag_ops), text()).prop_map(|(f, op, v)| clause(
            RunKey::Dataset(f),
            op,
            s(&v)
        )),
        (
            pick(fields),
            pick(&[C::In, C::NotIn][..]),
            prop::collection::vec(text(), 1..4)
        )
            .prop_map(|(f, op, v)| clause(RunKey::Dataset(f), op, Value::List(v))),
    ]
}

fn render_run_clause(c: &Clause<RunKey>, style: u8) -> String {
    let quote_key = |k: &str| {
        if style.is_multiple_of(2) {
            format!("`{k}`")
        } else {
            format!("\"{k}\"")
        }
    };
    let prefixes = |opts: &[&'static str]| opts[style as usize % opts.len()];
    let ident = match &c.key {
        RunKey::Metric(k) => format!("{}.{}", prefixes(&["metric", "metrics"]), quote_key(k)),
        RunKey::Param(k) => format!(
            "{}.{}",
            prefixes(&["param", "params", "parameter", "parameters"]),
            quote_key(k)
        ),
        RunKey::Tag(k) => format!("{}.{}", prefixes(&["tag", "tags"]), quote_key(k)),
        RunKey::Attribute(a) => {
            let name = match a {
                RA::RunId => "run_id",
                RA::RunName => prefixes(&["run_name", "`run name`", "`Run name`", "\"Run Name\""]),
                RA::Status => "status",
                RA::UserId => "user_id",
                RA::ArtifactUri => "artifact_uri",
                RA::StartTime => prefixes(&["start_time", "created", "Created"]),
                RA::EndTime => "end_time",
            };
            match style % 5 {
                0 => name.to_string(),
                1 => format!("attribute.{name}"),
                2 => format!("attributes.{name}"),
                3 => format!("attr.{name}"),
                _ => format!("run.{name}"),
            }
        }
        RunKey::Dataset(f) => {
            let name = match f {
                DatasetField::Name => "name",
                DatasetField::Digest => "digest",
                DatasetField::Context => "context",
            };
            format!("{}.{name}", prefixes(&["dataset", "datasets"]))
        }
    };
    format!(
        "{ident} {} {}",
        render_op(c.op, style),
        render_value(&c.value, style)
    )
    .trim_end()
    .to_string()
}

fn exp_clause() -> impl Strategy<Value = Clause<ExperimentKey>> {
    use ExperimentAttribute as EA;
    let num_ops: &'static [Comparator] = &[C::Eq, C::Ne, C::Lt, C::Le, C::Gt, C::Ge];
    let tag_ops: &'static [Comparator] = &[C::Eq, C::Ne, C::Like, C::ILike];
    prop_oneof![
        (pick(tag_ops), text()).prop_map(|(op, v)| clause(eattr(EA::Name), op, s(&v))),
        (pick(&[C::Eq, C::Ne][..]), any::<i64>()).prop_map(|(op, v)| clause(
            eattr(EA::ExperimentId),
            op,
            s(&v.to_string())
        )),
        (
            pick(&[C::In, C::NotIn][..]),
            prop::collection::vec(any::<u32>(), 1..4)
        )
            .prop_map(|(op, v)| {
                clause(
                    eattr(EA::ExperimentId),
                    op,
                    Value::List(v.iter().map(u32::to_string).collect()),
                )
            }),
        (
            pick(&[EA::CreationTime, EA::LastUpdateTime][..]),
            pick(num_ops),
            any::<i32>()
        )
            .prop_map(|(a, op, v)| clause(eattr(a), op, n(f64::from(v)))),
        (key(), pick(tag_ops), text()).prop_map(|(k, op, v)| clause(etag(&k), op, s(&v))),
        (key(), pick(&[C::IsNull, C::IsNotNull][..])).prop_map(|(k, op)| clause(
            etag(&k),
            op,
            Value::None
        )),
    ]
}

fn render_exp_clause(c: &Clause<ExperimentKey>, style: u8) -> String {
    let ident = match &c.key {
        ExperimentKey::Tag(k) => format!(
            "{}.`{k}`",
            if style.is_multiple_of(2) {
                "tag"
            } else {
                "tags"
            }
        ),
        ExperimentKey::Attribute(a) => {
            let name = match a {
                ExperimentAttribute::Name => "name",
                ExperimentAttribute::ExperimentId => "experiment_id",
                ExperimentAttribute::CreationTime => "creation_time",
                ExperimentAttribute::LastUpdateTime => "last_update_time",
            };
            if style.is_multiple_of(2) {
                name.to_string()
            } else {
                format!("attribute.{name}")
            }
        }
    };
    format!(
        "{ident} {} {}",
        render_op(c.op, style),
        render_value(&c.value, style)
    )
    .trim_end()
    .to_string()
}

proptest! {
    #[test]
    fn run_filters_round_trip(clauses in prop::collection::vec((run_clause(), any::<u8>()), 0..5), j in any::<u8>()) {
        let text: Vec<String> = clauses.iter().map(|(c, style)| render_run_clause(c, *style)).collect();
        let text = text.join(joiner(j));
        let expected: RunFilter = clauses.into_iter().map(|(c, _)| c).collect();
        prop_assert_eq!(parse_run_filter(&text), Ok(expected), "{}", text);
    }

    #[test]
    fn experiment_filters_round_trip(clauses in prop::collection::vec((exp_clause(), any::<u8>()), 0..5), j in any::<u8>()) {
        let text: Vec<String> = clauses.iter().map(|(c, style)| render_exp_clause(c, *style)).collect();
        let text = text.join(joiner(j));
        let expected: ExperimentFilter = clauses.into_iter().map(|(c, _)| c).collect();
        prop_assert_eq!(parse_experiment_filter(&text), Ok(expected), "{}", text);
    }

    #[test]
    // MLflow strips whitespace around the unquoted identifier, so keys here have none at the ends.
    fn run_order_by_round_trip(k in "[a-zA-Z0-9_]([a-zA-Z0-9_ .:/-]{0,10}[a-zA-Z0-9_])?", which in 0u8..4, dir in 0u8..5) {
        let (ident, key) = match which {
            0 => (format!("metrics.`{k}`"), RunKey::Metric(k)),
            1 => (format!("params.\"{k}\""), RunKey::Param(k)),
            2 => (format!("tags.`{k}`"), RunKey::Tag(k)),
            _ => ("start_time".to_string(), RunKey::Attribute(RA::StartTime)),
        };
        let (suffix, ascending) = [("", true), (" ASC", true), (" asc", true), (" DESC", false), (" Desc", false)][dir as usize];
        let text = format!("{ident}{suffix}");
        prop_assert_eq!(parse_run_order_by(&text), Ok(OrderBy { key, ascending }), "{}", text);
    }

    /// Arbitrary input never panics and only ever fails with INVALID_PARAMETER_VALUE.
    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        check_no_panic(&s);
    }

    /// The same, over the grammar's own alphabet, which reaches far deeper into the parser.
    #[test]
    fn grammar_soup_never_panics(parts in prop::collection::vec(pick(&[
        "metrics.a", "params.`b c`", "tags.\"d\"", "run_id", "status", "created", "datasets.name",
        "experiment_id", "name", "tag.x", " ", "=", "!=", "<", ">=", "<>", "LIKE", "ilike", "IN",
        "NOT", "IS", "NULL", "AND", "OR", "(", ")", ",", "'x'", "'1'", "\"y\"", "'", "\"", "`",
        "1", "-2.5", ".5", "1e5", "-", ";", "\\", "'a\\x4'", "asc", "DESC", "ü", "\n",
    ][..]), 0..12)) {
        check_no_panic(&parts.concat());
        check_no_panic(&parts.join(" "));
    }
}

fn check_no_panic(s: &str) {
    let results = [
        parse_run_filter(s).err(),
        parse_run_order_by(s).err(),
        parse_experiment_filter(s).err(),
        parse_experiment_order_by(s).err(),
    ];
    assert_all_invalid(s, results.into_iter().flatten());
}

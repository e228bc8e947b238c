//! Table-driven and property tests for the registry and logged-model search grammars. Expected
//! results were checked against the official stores (mlflow 3.17.2, SQLite), except where the
//! official server fails with an internal error; those cases are marked.

mod common;

use common::*;
use ferroflow_core::search::*;
use proptest::prelude::*;

use Comparator as C;
use ModelVersionAttribute as MA;

fn rtag(k: &str) -> RegisteredModelKey {
    RegisteredModelKey::Tag(k.into())
}
fn mattr(a: ModelVersionAttribute) -> ModelVersionKey {
    ModelVersionKey::Attribute(a)
}
fn mtag(k: &str) -> ModelVersionKey {
    ModelVersionKey::Tag(k.into())
}
fn lattr(a: LoggedModelAttribute) -> LoggedModelKey {
    LoggedModelKey::Attribute(a)
}

#[test]
fn registered_model_filters_accepted() {
    use RegisteredModelKey::Name;
    let cases: Vec<(&str, RegisteredModelFilter)> = vec![
        ("", vec![]),
        ("  ", vec![]),
        ("name = 'a'", vec![clause(Name, C::Eq, s("a"))]),
        ("attribute.name != \"b\"", vec![clause(Name, C::Ne, s("b"))]),
        (
            "name ILIKE '%a%' AND AND name like 'b'",
            vec![
                clause(Name, C::ILike, s("%a%")),
                clause(Name, C::Like, s("b")),
            ],
        ),
        (
            "name IN ('a','b')",
            vec![clause(Name, C::In, list(&["a", "b"]))],
        ),
        (
            "name NOT IN ('a', \"b\")",
            vec![clause(Name, C::NotIn, list(&["a", "b"]))],
        ),
        ("name IN ('a',)", vec![clause(Name, C::In, list(&["a"]))]),
        ("name = 'it''s'", vec![clause(Name, C::Eq, s("it''s"))]),
        ("name = 'a' AND", vec![clause(Name, C::Eq, s("a"))]),
        (
            "name = 'a' name = 'b'",
            vec![clause(Name, C::Eq, s("a")), clause(Name, C::Eq, s("b"))],
        ),
        ("tag.k LIKE 'v%'", vec![clause(rtag("k"), C::Like, s("v%"))]),
        ("tags.`a b` = 'x'", vec![clause(rtag("a b"), C::Eq, s("x"))]),
        ("tags.'k' = 'v'", vec![clause(rtag("k"), C::Eq, s("v"))]),
        (
            "name = 'a' and tags.`mlflow.prompt.is_prompt` != 'true'",
            vec![
                clause(Name, C::Eq, s("a")),
                clause(rtag("mlflow.prompt.is_prompt"), C::Ne, s("true")),
            ],
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            parse_registered_model_filter(input),
            Ok(expected),
            "{input}"
        );
    }
}

#[test]
fn registered_model_filters_rejected() {
    let cases: &[(&str, &str)] = &[
        ("name > 'a'", "Invalid comparator for attribute: >"),
        ("name <> 'a'", "Invalid comparator for attribute: <>"),
        ("name == 'a'", "Invalid comparator for attribute: =="),
        (
            "tags.x NOT LIKE 'a'",
            "Invalid comparator for tag: NOT LIKE",
        ),
        (
            "name LIKE 'a%' AND tags.x > 'a'",
            "Invalid comparator for tag: >",
        ),
        // Identifiers and values of every clause are judged before any comparator.
        (
            "name > 'a' AND foo = 'b'",
            "Invalid attribute key 'foo' specified. Valid keys are '{'name'}'",
        ),
        (
            "`name` = 'a'",
            "Invalid attribute key '`name`' specified. Valid keys are '{'name'}'",
        ),
        (
            "version_number = 1",
            "Invalid attribute key 'version_number' specified",
        ),
        (
            "foo.bar = 1",
            "Invalid entity type 'foo'. Valid entity types are ('attribute', 'tag', 'tags')",
        ),
        ("attributes.name = 'a'", "Invalid entity type 'attributes'"),
        (
            "tags.x IN ('a')",
            "Expected a quoted string value for tag (e.g. 'my-value'). Got value ('a')",
        ),
        (
            "tags.a = 1",
            "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1",
        ),
        ("tags.x = NULL", "Got value NULL"),
        (
            "name = a",
            "Parameter value is either not quoted or unidentified quote types used for string value a. Use either single or double quotes.",
        ),
        (
            "name = 1",
            "Expected a quoted string value or a list of quoted string values for attributes. Got value 1",
        ),
        ("name = NULL", "Got value NULL"),
        (
            "name IN ()",
            "expected a non-empty list of string values, but got empty list",
        ),
        ("name IN (1,2)", "but got different type in list"),
        (
            "name = 'a' OR name = 'b'",
            "Invalid clause(s) in filter string: OR",
        ),
        (
            "(name = 'a')",
            "Invalid clause(s) in filter string: (name = 'a')",
        ),
        ("name = 'a';", "Invalid clause(s) in filter string: ;"),
        ("name", "Invalid clause(s) in filter string: name"),
        ("name =", "Invalid clause(s) in filter string: name, ="),
        (
            "name = 'a'; name = 'b'",
            "Search filter contained multiple expression \"name = 'a'; name = 'b'\". Provide AND-ed expression list.",
        ),
        ("name = 'a", "unterminated"),
        // The official server fails internally on these.
        (
            "tags.x IS NOT NULL",
            "Invalid comparison clause. Expected 3 tokens found 2",
        ),
        ("name IS NULL", "Invalid comparison clause"),
    ];
    for (input, msg) in cases {
        assert_rejected(parse_registered_model_filter(input), input, msg);
    }
}

#[test]
fn registered_model_order_by() {
    use RegisteredModelOrderKey as K;
    let ob = |key, ascending| OrderBy { key, ascending };
    assert_eq!(
        parse_registered_model_order_by("name"),
        Ok(ob(K::Name, true))
    );
    assert_eq!(
        parse_registered_model_order_by("name asc"),
        Ok(ob(K::Name, true))
    );
    assert_eq!(
        parse_registered_model_order_by("`name` DESC"),
        Ok(ob(K::Name, false))
    );
    assert_eq!(
        parse_registered_model_order_by("timestamp DESC"),
        Ok(ob(K::LastUpdatedTimestamp, false))
    );
    assert_eq!(
        parse_registered_model_order_by("last_updated_timestamp"),
        Ok(ob(K::LastUpdatedTimestamp, true))
    );
    assert_eq!(
        parse_registered_model_order_by_list(&["timestamp asc"]),
        Ok(vec![ob(K::LastUpdatedTimestamp, true), ob(K::Name, true)])
    );
    assert_eq!(
        parse_registered_model_order_by_list(&["name DESC"]),
        Ok(vec![ob(K::Name, false)])
    );
    assert_eq!(
        parse_registered_model_order_by_list::<&str>(&[]),
        Ok(vec![ob(K::Name, true)])
    );
    let cases: &[(&[&str], &str)] = &[
        (
            &["creation_timestamp"],
            "Invalid order by key 'creation_timestamp' specified. Valid keys are '{'name', 'timestamp'}'",
        ),
        (
            &["attribute.name"],
            "Invalid order by key 'attribute.name' specified",
        ),
        (&["tags.x"], "Invalid order by key 'tags.x' specified"),
        (&["`name`"], "Invalid order by key '`name`' specified"),
        (
            &["name DESC ASC"],
            "Invalid order_by clause 'name DESC ASC'. Could not be parsed.",
        ),
        (
            &["name sideways"],
            "Invalid ordering key in order_by clause 'name sideways'.",
        ),
        (
            &[" name"],
            "Invalid order_by clause ' name'. Could not be parsed.",
        ),
        (
            &["name", "name"],
            "`order_by` contains duplicate fields: ['name', 'name']",
        ),
        (
            &["timestamp", "last_updated_timestamp DESC"],
            "`order_by` contains duplicate fields: ['timestamp', 'last_updated_timestamp DESC']",
        ),
    ];
    for (input, msg) in cases {
        assert_rejected(
            parse_registered_model_order_by_list(input),
            &format!("{input:?}"),
            msg,
        );
    }
}

#[test]
fn model_version_filters_accepted() {
    let cases: Vec<(&str, ModelVersionFilter)> = vec![
        ("name = 'm'", vec![clause(mattr(MA::Name), C::Eq, s("m"))]),
        (
            "version_number = 3 AND run_id IN ('a','b')",
            vec![
                clause(mattr(MA::VersionNumber), C::Eq, n(3.0)),
                clause(mattr(MA::RunId), C::In, list(&["a", "b"])),
            ],
        ),
        (
            "version_number >= -1",
            vec![clause(mattr(MA::VersionNumber), C::Ge, n(-1.0))],
        ),
        (
            "version_number = '3'",
            vec![clause(mattr(MA::VersionNumber), C::Eq, n(3.0))],
        ),
        (
            "version_number != '  7 '",
            vec![clause(mattr(MA::VersionNumber), C::Ne, n(7.0))],
        ),
        (
            "version_number < '1_0'",
            vec![clause(mattr(MA::VersionNumber), C::Lt, n(10.0))],
        ),
        (
            "source_path = 'models:/m-1'",
            vec![clause(mattr(MA::SourcePath), C::Eq, s("models:/m-1"))],
        ),
        (
            "source_path LIKE 'a' AND version_number >= 2",
            vec![
                clause(mattr(MA::SourcePath), C::Like, s("a")),
                clause(mattr(MA::VersionNumber), C::Ge, n(2.0)),
            ],
        ),
        (
            "attribute.run_id NOT IN ('a')",
            vec![clause(mattr(MA::RunId), C::NotIn, list(&["a"]))],
        ),
        (
            "run_id LIKE 'a%'",
            vec![clause(mattr(MA::RunId), C::Like, s("a%"))],
        ),
        ("tags.t != 'x'", vec![clause(mtag("t"), C::Ne, s("x"))]),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_model_version_filter(input), Ok(expected), "{input}");
    }
}

#[test]
fn model_version_filters_rejected() {
    let cases: &[(&str, &str)] = &[
        (
            "version_number = 1.5",
            "Invalid value for numeric attribute 'version_number': 1.5",
        ),
        (
            "version_number = 1.",
            "Invalid value for numeric attribute 'version_number': 1.0",
        ),
        (
            "version_number = 1e20",
            "Invalid value for numeric attribute 'version_number': 1e+20",
        ),
        (
            "version_number = 1e5",
            "Invalid value for numeric attribute 'version_number': 100000.0",
        ),
        (
            "version_number = 'abc'",
            "Invalid value for numeric attribute 'version_number': 'abc'",
        ),
        (
            "version_number = \"it's\"",
            "Invalid value for numeric attribute 'version_number': \"it's\"",
        ),
        (
            "version_number LIKE '1'",
            "Invalid comparator for attribute version_number: LIKE",
        ),
        (
            "source_path IN ('a')",
            "Only ['name', 'run_id'] attributes support comparison with a list of quoted string values.",
        ),
        (
            "version_number IN (1)",
            "Only ['name', 'run_id'] attributes support comparison",
        ),
        (
            "name = 1",
            "attributes support comparison with numeric values.",
        ),
        (
            "creation_timestamp = 1",
            "Invalid attribute key 'creation_timestamp' specified",
        ),
        (
            "`version_number` = 1",
            "Invalid attribute key '`version_number`' specified",
        ),
        (
            "version_number = NULL",
            "Expected a quoted string value or a list of quoted string values for attributes. Got value NULL",
        ),
        (
            "tags.x = 5",
            "Expected a quoted string value for tag (e.g. 'my-value'). Got value 5",
        ),
        ("name > 'a'", "Invalid comparator for attribute: >"),
        (
            "source_path NOT LIKE 'a'",
            "Invalid comparator for attribute: NOT LIKE",
        ),
        ("tags.x > 'a'", "Invalid comparator for tag: >"),
        (
            "foo.bar = 'a'",
            "Invalid entity type 'foo'. Valid entity types are ('attribute', 'tag', 'tags')",
        ),
        // Internal errors on the official server.
        (
            "version_number = 99999999999999999999",
            "Invalid value for numeric attribute 'version_number': 99999999999999999999",
        ),
        ("tags.x IS NULL", "Invalid comparison clause"),
    ];
    for (input, msg) in cases {
        assert_rejected(parse_model_version_filter(input), input, msg);
    }
}

#[test]
fn model_version_order_by() {
    use ModelVersionOrderKey as K;
    let ob = |key, ascending| OrderBy { key, ascending };
    assert_eq!(
        parse_model_version_order_by("version_number DESC"),
        Ok(ob(K::VersionNumber, false))
    );
    assert_eq!(
        parse_model_version_order_by("attribute.version_number"),
        Ok(ob(K::VersionNumber, true))
    );
    assert_eq!(
        parse_model_version_order_by("`version_number`"),
        Ok(ob(K::VersionNumber, true))
    );
    assert_eq!(
        parse_model_version_order_by("tags.name"),
        Ok(ob(K::Name, true))
    );
    assert_eq!(
        parse_model_version_order_by("creation_timestamp DESC"),
        Ok(ob(K::CreationTimestamp, false))
    );
    assert_eq!(
        parse_model_version_order_by_list::<&str>(&[]),
        Ok(vec![
            ob(K::LastUpdatedTimestamp, false),
            ob(K::Name, true),
            ob(K::VersionNumber, false)
        ])
    );
    assert_eq!(
        parse_model_version_order_by_list(&["name", "creation_timestamp DESC"]),
        Ok(vec![
            ob(K::Name, true),
            ob(K::CreationTimestamp, false),
            ob(K::VersionNumber, false)
        ])
    );
    assert_eq!(
        parse_model_version_order_by_list(&["version_number DESC"]),
        Ok(vec![ob(K::VersionNumber, false), ob(K::Name, true)])
    );
    let cases: &[(&[&str], &str)] = &[
        (
            &["tags.x"],
            "Invalid order by key 'x' specified. Valid keys are {'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}",
        ),
        (
            &["foo"],
            "Invalid attribute key 'foo' specified. Valid keys are '{",
        ),
        (&["run_id"], "Invalid attribute key 'run_id' specified"),
        (
            &["timestamp"],
            "Invalid attribute key 'timestamp' specified",
        ),
        (
            &["bar.x"],
            "Invalid entity type 'bar'. Valid entity types are ('attribute', 'tag', 'tags')",
        ),
        (
            &["version_number DESC", "version_number"],
            "`order_by` contains duplicate fields: ['version_number DESC', 'version_number']",
        ),
        (
            &["name", "tags.name"],
            "`order_by` contains duplicate fields",
        ),
    ];
    for (input, msg) in cases {
        assert_rejected(
            parse_model_version_order_by_list(input),
            &format!("{input:?}"),
            msg,
        );
    }
}

#[test]
fn prompt_selection() {
    let rm = |f: &str| {
        registered_model_filter_selects_prompts(&parse_registered_model_filter(f).unwrap())
    };
    assert!(!rm(""));
    assert!(!rm("name = 'a'"));
    assert!(!rm("tags.`mlflow.prompt.is_prompt` != 'true'"));
    assert!(!rm("tags.`mlflow.prompt.is_prompt` = 'false'"));
    assert!(rm("tags.`mlflow.prompt.is_prompt` = 'TRUE'"));
    assert!(rm(
        "name = 'a' AND tags.`mlflow.prompt.is_prompt` != 'false'"
    ));
    // Only the first clause on the tag counts.
    assert!(!rm(
        "tags.`mlflow.prompt.is_prompt` LIKE 't%' AND tags.`mlflow.prompt.is_prompt` = 'true'"
    ));
    let mv =
        |f: &str| model_version_filter_selects_prompts(&parse_model_version_filter(f).unwrap());
    assert!(mv("tags.`mlflow.prompt.is_prompt` = 'true'"));
    assert!(!mv(
        "tags.`mlflow.prompt.is_prompt` != 'true' AND version_number > 1"
    ));
}

#[test]
fn logged_model_filters_accepted() {
    use LoggedModelAttribute as A;
    let cases: Vec<(&str, LoggedModelFilter)> = vec![
        ("", vec![]),
        (
            "name = 'model'",
            vec![clause(lattr(A::Name), C::Eq, s("model"))],
        ),
        (
            "metrics.acc >= 0.5 AND params.lr = '0.1' and tags.t LIKE 'x%'",
            vec![
                clause(LoggedModelKey::Metric("acc".into()), C::Ge, n(0.5)),
                clause(LoggedModelKey::Param("lr".into()), C::Eq, s("0.1")),
                clause(LoggedModelKey::Tag("t".into()), C::Like, s("x%")),
            ],
        ),
        (
            "model_id IN ('m-1', 'm-2')",
            vec![clause(lattr(A::ModelId), C::In, list(&["m-1", "m-2"]))],
        ),
        (
            "name IN (1, 'a')",
            vec![clause(lattr(A::Name), C::In, list(&["1", "a"]))],
        ),
        ("name IN ()", vec![clause(lattr(A::Name), C::In, list(&[]))]),
        (
            "params.a NOT IN ('x')",
            vec![clause(
                LoggedModelKey::Param("a".into()),
                C::NotIn,
                list(&["x"]),
            )],
        ),
        (
            "creation_timestamp > 1000",
            vec![clause(lattr(A::CreationTimestamp), C::Gt, n(1000.0))],
        ),
        (
            "creation_time <= 5",
            vec![clause(lattr(A::CreationTimestamp), C::Le, n(5.0))],
        ),
        (
            "last_updated_timestamp_ms != 1e3",
            vec![clause(lattr(A::LastUpdatedTimestamp), C::Ne, n(1000.0))],
        ),
        (
            "attributes.name != 'x'",
            vec![clause(lattr(A::Name), C::Ne, s("x"))],
        ),
        ("`name` = 'a'", vec![clause(lattr(A::Name), C::Eq, s("a"))]),
        (
            "metrics.`f1 score` > 1",
            vec![clause(
                LoggedModelKey::Metric("f1 score".into()),
                C::Gt,
                n(1.0),
            )],
        ),
        (
            "metrics.x = 1_000",
            vec![clause(LoggedModelKey::Metric("x".into()), C::Eq, n(1000.0))],
        ),
        (
            "metrics.x = inf",
            vec![clause(
                LoggedModelKey::Metric("x".into()),
                C::Eq,
                n(f64::INFINITY),
            )],
        ),
        // The official parser strips single quotes only, and takes bare words and numbers as text.
        (
            "name = \"x\"",
            vec![clause(lattr(A::Name), C::Eq, s("\"x\""))],
        ),
        ("name = x", vec![clause(lattr(A::Name), C::Eq, s("x"))]),
        ("name = 1", vec![clause(lattr(A::Name), C::Eq, s("1"))]),
        (
            "tags.x = 'it''s'",
            vec![clause(LoggedModelKey::Tag("x".into()), C::Eq, s("it''s"))],
        ),
        (
            "status = '2'",
            vec![clause(lattr(A::Status), C::Eq, s("2"))],
        ),
        (
            "experiment_id = '0'",
            vec![clause(lattr(A::ExperimentId), C::Eq, s("0"))],
        ),
        (
            "lifecycle_stage = 'active'",
            vec![clause(lattr(A::LifecycleStage), C::Eq, s("active"))],
        ),
        (
            "source_run_id = 'r' AND model_type ILIKE 'Sk%' AND status_message = 'm' AND artifact_location LIKE 's3%'",
            vec![
                clause(lattr(A::SourceRunId), C::Eq, s("r")),
                clause(lattr(A::ModelType), C::ILike, s("Sk%")),
                clause(lattr(A::StatusMessage), C::Eq, s("m")),
                clause(lattr(A::ArtifactLocation), C::Like, s("s3%")),
            ],
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_logged_model_filter(input), Ok(expected), "{input}");
    }
    // NaN is accepted like the official parser (and compares unequal to everything).
    let nan = parse_logged_model_filter("metrics.x > nan").unwrap();
    assert!(matches!(nan[0].value, Value::Number(v) if v.is_nan()));
}

#[test]
fn logged_model_filters_rejected() {
    let cases: &[(&str, &str)] = &[
        (
            "metric.x > 1",
            "Invalid entity type: 'metric'. Expected one of ['attributes', 'metrics', 'params', 'tags'].",
        ),
        ("attribute.name = 'a'", "Invalid entity type: 'attribute'"),
        (
            "name > 'a'",
            "Invalid comparison operator for attributes.name: '>'. Expected one of ('=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN').",
        ),
        (
            "name NOT LIKE 'a'",
            "Invalid comparison operator for attributes.name: 'NOT LIKE'",
        ),
        (
            "name <> 'a'",
            "Invalid comparison operator for attributes.name: '<>'",
        ),
        (
            "last_updated_timestamp LIKE 'a'",
            "Invalid comparison operator for attributes.last_updated_timestamp_ms: 'LIKE'. Expected one of ('<', '<=', '>', '>=', '=', '!=').",
        ),
        (
            "last_updated_time > 5",
            "Invalid comparison operator for attributes.last_updated_time: '>'",
        ),
        (
            "metrics.x IN (1)",
            "Invalid comparison operator for metrics.x: 'IN'",
        ),
        (
            "name = 'a' AND foo > 1",
            "Invalid comparison operator for attributes.foo: '>'",
        ),
        (
            "name IS NULL",
            "Invalid comparison: nameIS NULL. Expected a comparison with 3 tokens.",
        ),
        (
            "tags.x IS NOT NULL",
            "Invalid comparison: tags.xIS NOT NULL.",
        ),
        (
            "name = 'a' OR name = 'b'",
            "Invalid filter string: \"name = 'a' OR name = 'b'\". Expected a list of comparisons separated by 'AND' (e.g. 'metrics.loss > 0.1 AND params.lr = 0.01').",
        ),
        (
            "(name = 'a')",
            "Expected a list of comparisons separated by 'AND'",
        ),
        (
            "name = 'a';",
            "Invalid filter string: \"name = 'a';\". Expected a list of comparisons",
        ),
        (
            "name",
            "Invalid filter string: 'name'. Expected a list of comparisons",
        ),
        ("model_id = m-1", "Expected a list of comparisons"),
        (
            "name = 'a'; x",
            "Invalid filter string: \"name = 'a'; x\". Expected a single SQL expression.",
        ),
        // Internal errors (or database errors) on the official server.
        (
            "metrics.x > '1'",
            "Expected numeric value type for metrics.x. Found '1'",
        ),
        ("metrics.x = abc", "Found abc"),
        (
            "creation_time = 'x'",
            "Expected numeric value type for attributes.creation_timestamp_ms",
        ),
        ("foo = 'a'", "Invalid logged model search key 'foo'"),
        ("Tags.x = 'a'", "Invalid logged model search key 'Tags.x'"),
        ("tags = 'a'", "Invalid logged model search key 'tags'"),
        (
            "last_updated_time = '5'",
            "Invalid logged model search key 'last_updated_time'",
        ),
    ];
    for (input, msg) in cases {
        assert_rejected(parse_logged_model_filter(input), input, msg);
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips and robustness
// ---------------------------------------------------------------------------------------------

/// Tag keys and values that need no escaping inside backticks / single quotes.
fn key() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_][a-zA-Z0-9_ .:/-]{0,12}"
}
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_ %.:/@-]{0,12}"
}

fn rm_clause() -> impl Strategy<Value = Clause<RegisteredModelKey>> {
    prop_oneof![
        (pick(&[C::Eq, C::Ne, C::Like, C::ILike][..]), text()).prop_map(|(op, v)| clause(
            RegisteredModelKey::Name,
            op,
            s(&v)
        )),
        (
            pick(&[C::In, C::NotIn][..]),
            prop::collection::vec(text(), 1..4)
        )
            .prop_map(|(op, v)| clause(RegisteredModelKey::Name, op, Value::List(v))),
        (key(), pick(&[C::Eq, C::Ne, C::Like, C::ILike][..]), text())
            .prop_map(|(k, op, v)| clause(rtag(&k), op, s(&v))),
    ]
}
fn render_rm(c: &Clause<RegisteredModelKey>, style: u8) -> String {
    let ident = match &c.key {
        RegisteredModelKey::Name => ["name", "attribute.name"][style as usize % 2].to_string(),
        RegisteredModelKey::Tag(k) => format!("{}.`{k}`", ["tag", "tags"][style as usize / 2 % 2]),
    };
    format!(
        "{ident} {} {}",
        render_op(c.op, style),
        render_value(&c.value, style / 3)
    )
}

fn mv_clause() -> impl Strategy<Value = Clause<ModelVersionKey>> {
    prop_oneof![
        (
            pick(&[MA::Name, MA::RunId, MA::SourcePath][..]),
            pick(&[C::Eq, C::Ne, C::Like, C::ILike][..]),
            text()
        )
            .prop_map(|(a, op, v)| clause(mattr(a), op, s(&v))),
        (
            pick(&[MA::Name, MA::RunId][..]),
            pick(&[C::In, C::NotIn][..]),
            prop::collection::vec(text(), 1..4)
        )
            .prop_map(|(a, op, v)| clause(mattr(a), op, Value::List(v))),
        (
            pick(&[C::Eq, C::Ne, C::Lt, C::Le, C::Gt, C::Ge][..]),
            -1000i64..100_000
        )
            .prop_map(|(op, v)| clause(mattr(MA::VersionNumber), op, n(v as f64))),
        (key(), pick(&[C::Eq, C::Ne, C::Like, C::ILike][..]), text())
            .prop_map(|(k, op, v)| clause(mtag(&k), op, s(&v))),
    ]
}
fn render_mv(c: &Clause<ModelVersionKey>, style: u8) -> String {
    let prefix = ["", "attribute."][style as usize % 2];
    let ident = match &c.key {
        ModelVersionKey::Attribute(a) => {
            let name = match a {
                MA::Name => "name",
                MA::RunId => "run_id",
                MA::SourcePath => "source_path",
                MA::VersionNumber => "version_number",
            };
            format!("{prefix}{name}")
        }
        ModelVersionKey::Tag(k) => format!("tags.`{k}`"),
    };
    // Version numbers may also be written as quoted integers.
    let value = match (&c.key, &c.value) {
        (ModelVersionKey::Attribute(MA::VersionNumber), Value::Number(x))
            if style.is_multiple_of(5) =>
        {
            format!("'{x}'")
        }
        (_, v) => render_value(v, style / 3),
    };
    format!("{ident} {} {value}", render_op(c.op, style))
}

fn lm_clause() -> impl Strategy<Value = Clause<LoggedModelKey>> {
    use LoggedModelAttribute as A;
    let strings = &[A::Name, A::ModelId, A::ModelType, A::SourceRunId, A::Status][..];
    prop_oneof![
        (
            pick(strings),
            pick(&[C::Eq, C::Ne, C::Like, C::ILike][..]),
            text()
        )
            .prop_map(|(a, op, v)| clause(lattr(a), op, s(&v))),
        (
            pick(strings),
            pick(&[C::In, C::NotIn][..]),
            prop::collection::vec(text(), 0..4)
        )
            .prop_map(|(a, op, v)| clause(lattr(a), op, Value::List(v))),
        (
            pick(&[A::CreationTimestamp, A::LastUpdatedTimestamp][..]),
            pick(&[C::Eq, C::Ne, C::Lt, C::Le, C::Gt, C::Ge][..]),
            0i64..1_000_000_000_000
        )
            .prop_map(|(a, op, v)| clause(lattr(a), op, n(v as f64))),
        (
            key(),
            pick(&[C::Eq, C::Ne, C::Lt, C::Le, C::Gt, C::Ge][..]),
            -1e9f64..1e9
        )
            .prop_map(|(k, op, v)| clause(LoggedModelKey::Metric(k), op, n(v))),
        (key(), pick(&[C::Eq, C::Ne, C::Like, C::ILike][..]), text())
            .prop_map(|(k, op, v)| clause(LoggedModelKey::Param(k), op, s(&v))),
        (key(), pick(&[C::Eq, C::Ne, C::Like, C::ILike][..]), text())
            .prop_map(|(k, op, v)| clause(LoggedModelKey::Tag(k), op, s(&v))),
    ]
}
fn render_lm(c: &Clause<LoggedModelKey>, style: u8) -> String {
    use LoggedModelAttribute as A;
    let ident = match &c.key {
        LoggedModelKey::Attribute(a) => {
            let name = match a {
                A::Name => "name",
                A::ModelId => "model_id",
                A::ModelType => "model_type",
                A::SourceRunId => "source_run_id",
                A::Status => "status",
                A::CreationTimestamp => [
                    "creation_timestamp",
                    "creation_time",
                    "creation_timestamp_ms",
                ][style as usize % 3],
                A::LastUpdatedTimestamp => {
                    ["last_updated_timestamp", "last_updated_timestamp_ms"][style as usize % 2]
                }
                _ => unreachable!("not generated"),
            };
            if style.is_multiple_of(2) {
                name.to_string()
            } else {
                format!("attributes.{name}")
            }
        }
        LoggedModelKey::Metric(k) => format!("metrics.`{k}`"),
        LoggedModelKey::Param(k) => format!("params.`{k}`"),
        LoggedModelKey::Tag(k) => format!("tags.`{k}`"),
    };
    // Only single quotes are stripped by the logged-model parser.
    format!(
        "{ident} {} {}",
        render_op(c.op, style),
        render_value(&c.value, 0)
    )
}

proptest! {
    #[test]
    fn registered_model_filters_round_trip(clauses in prop::collection::vec((rm_clause(), any::<u8>()), 0..5), j in any::<u8>()) {
        let text = clauses.iter().map(|(c, st)| render_rm(c, *st)).collect::<Vec<_>>().join(joiner(j));
        let expected: RegisteredModelFilter = clauses.into_iter().map(|(c, _)| c).collect();
        prop_assert_eq!(parse_registered_model_filter(&text), Ok(expected), "{}", text);
    }

    #[test]
    fn model_version_filters_round_trip(clauses in prop::collection::vec((mv_clause(), any::<u8>()), 0..5), j in any::<u8>()) {
        let text = clauses.iter().map(|(c, st)| render_mv(c, *st)).collect::<Vec<_>>().join(joiner(j));
        let expected: ModelVersionFilter = clauses.into_iter().map(|(c, _)| c).collect();
        prop_assert_eq!(parse_model_version_filter(&text), Ok(expected), "{}", text);
    }

    #[test]
    fn logged_model_filters_round_trip(clauses in prop::collection::vec((lm_clause(), any::<u8>()), 0..5), j in any::<u8>()) {
        let text = clauses.iter().map(|(c, st)| render_lm(c, *st)).collect::<Vec<_>>().join(joiner(j));
        let expected: LoggedModelFilter = clauses.into_iter().map(|(c, _)| c).collect();
        prop_assert_eq!(parse_logged_model_filter(&text), Ok(expected), "{}", text);
    }

    #[test]
    fn order_by_round_trip(which in 0usize..6, dir in 0usize..5) {
        let (mv_ident, mv_key) = [
            ("name", ModelVersionOrderKey::Name),
            ("version_number", ModelVersionOrderKey::VersionNumber),
            ("`creation_timestamp`", ModelVersionOrderKey::CreationTimestamp),
            ("attribute.last_updated_timestamp", ModelVersionOrderKey::LastUpdatedTimestamp),
            ("tags.name", ModelVersionOrderKey::Name),
            ("\"version_number\"", ModelVersionOrderKey::VersionNumber),
        ][which];
        let (suffix, ascending) = [(" ASC", true), (" asc", true), (" DESC", false), (" Desc", false), (" desc", false)][dir];
        prop_assert_eq!(parse_model_version_order_by(&format!("{mv_ident}{suffix}")), Ok(OrderBy { key: mv_key, ascending }));
        let (rm_ident, rm_key) = [
            ("name", RegisteredModelOrderKey::Name),
            ("timestamp", RegisteredModelOrderKey::LastUpdatedTimestamp),
            ("last_updated_timestamp", RegisteredModelOrderKey::LastUpdatedTimestamp),
        ][which % 3];
        prop_assert_eq!(parse_registered_model_order_by(&format!("{rm_ident}{suffix}")), Ok(OrderBy { key: rm_key, ascending }));
    }

    /// Arbitrary input never panics and only ever fails with INVALID_PARAMETER_VALUE.
    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        check_no_panic(&s);
    }

    #[test]
    fn grammar_soup_never_panics(parts in prop::collection::vec(pick(&[
        "name", "version_number", "run_id", "source_path", "tags.`a`", "tag.b", "metrics.m",
        "params.p", "attributes.status", "creation_time", "attribute.name", " ", "=", "!=", "<",
        ">=", "<>", "LIKE", "ilike", "IN", "NOT", "IS", "NULL", "AND", "OR", "(", ")", ",", "'x'",
        "'1'", "\"y\"", "'", "\"", "`", "1", "-2.5", "1e400", "99999999999999999999", ".5", "-",
        ";", "\\", "asc", "DESC", "ü", "\n", "nan", "1_0",
    ][..]), 0..12)) {
        check_no_panic(&parts.concat());
        check_no_panic(&parts.join(" "));
    }
}

fn check_no_panic(s: &str) {
    let results = [
        parse_registered_model_filter(s).err(),
        parse_registered_model_order_by(s).err(),
        parse_registered_model_order_by_list(&[s, s]).err(),
        parse_model_version_filter(s).err(),
        parse_model_version_order_by(s).err(),
        parse_model_version_order_by_list(&[s]).err(),
        parse_logged_model_filter(s).err(),
        ferroflow_core::registry::ModelUri::parse(s).err(),
    ];
    assert_all_invalid(s, results.into_iter().flatten());
}

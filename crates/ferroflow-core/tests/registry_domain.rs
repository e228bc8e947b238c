//! Registry name rules, stages, statuses and model URIs. Expected messages were taken from the
//! official implementation (mlflow 3.17.2) run on the same inputs.

use ferroflow_core::ErrorKind;
use ferroflow_core::registry::*;

fn err(r: ferroflow_core::Result<impl std::fmt::Debug>) -> String {
    let e = r.expect_err("expected an error");
    assert_eq!(e.kind, ErrorKind::InvalidParameterValue);
    e.message
}

#[test]
fn registered_model_names() {
    for ok in ["m", "ok name", "a.", "é..", "x\n", "é"] {
        assert!(validate_registered_model_name(ok).is_ok(), "{ok:?}");
    }
    assert_eq!(
        err(validate_registered_model_name("  ")),
        "Missing value for required parameter 'name'."
    );
    assert_eq!(
        err(validate_registered_model_name("a/../b")),
        "Invalid model name 'a/../b'. Names cannot contain '/' or ':'."
    );
    assert_eq!(
        err(validate_registered_model_name("a:b")),
        "Invalid model name 'a:b'. Names cannot contain '/' or ':'."
    );
    assert_eq!(
        err(validate_registered_model_name("..")),
        "Invalid value \"..\" for parameter 'name' supplied: Names may be treated as files in \
         certain cases, and must not resolve to other names when treated as such. This name \
         would resolve to '..'"
    );
    assert!(err(validate_registered_model_name(".")).ends_with("would resolve to '.'"));
    assert_eq!(
        err(validate_new_registered_model_name(" ")),
        "Missing value for required parameter 'new_name'."
    );
    assert!(validate_new_registered_model_name("b").is_ok());
}

#[test]
fn aliases() {
    for ok in ["champion", "é_-1", "v", "v1a", "ab\n", "latest", "V22"] {
        assert!(validate_alias_name(ok).is_ok(), "{ok:?}");
    }
    assert_eq!(
        err(validate_alias_name("")),
        "Registered model alias name cannot be empty."
    );
    assert_eq!(
        err(validate_alias_name("a.b")),
        "Invalid alias name: 'a.b'. Names may only contain alphanumerics, underscores (_), and \
         dashes (-)."
    );
    assert_eq!(
        err(validate_alias_name(&"x".repeat(256))),
        "'Registered model alias name' exceeds the maximum length of 255 characters"
    );
    assert!(validate_alias_name(&"é".repeat(255)).is_ok());
    assert_eq!(
        err(validate_alias_for_set("LaTeSt")),
        "'latest' alias name (case insensitive) is reserved."
    );
    assert_eq!(
        err(validate_alias_for_set("V22")),
        "Version alias name 'V22' is reserved."
    );
    assert_eq!(
        err(validate_alias_not_reserved("v1\n")),
        "Version alias name 'v1\n' is reserved."
    );
    for ok in ["v", "v1a", "champion", "x1"] {
        assert!(validate_alias_for_set(ok).is_ok(), "{ok:?}");
    }
}

#[test]
fn logged_model_names() {
    assert!(validate_logged_model_name(None).is_ok());
    assert!(validate_logged_model_name(Some("model-1 b_c")).is_ok());
    let tail = "provided. Model name must be a non-empty string and cannot contain the following \
                characters: ('/', ':', '.', '%', '\"', \"'\")";
    for (name, shown) in [
        ("", "''"),
        ("a.b", "'a.b'"),
        ("a%b", "'a%b'"),
        ("it's", "\"it's\""),
        ("q\"", "'q\"'"),
        ("a/b", "'a/b'"),
        ("x:y", "'x:y'"),
    ] {
        assert_eq!(
            err(validate_logged_model_name(Some(name))),
            format!("Invalid model name ({shown}) {tail}")
        );
    }
}

#[test]
fn registry_tags() {
    assert!(validate_registered_model_tag("k", "v").is_ok());
    assert!(validate_model_version_tag("é a/b.c-d:e", "v").is_ok());
    assert!(validate_registered_model_tag("a\n", "v").is_ok());
    assert_eq!(
        err(validate_registered_model_tag("a$b", "v")),
        "Invalid value \"a$b\" for parameter 'key' supplied: Names may only contain \
         alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and \
         slashes (/)."
    );
    assert!(err(validate_model_version_tag("", "v")).ends_with("would resolve to '.'"));
    assert!(err(validate_model_version_tag("a//b", "v")).ends_with("would resolve to 'a/b'"));
    assert!(err(validate_model_version_tag("/a", "v")).ends_with("would resolve to '/a'"));
    assert_eq!(
        err(validate_registered_model_tag(&"k".repeat(251), "v")),
        "'key' exceeds the maximum length of 250 characters"
    );
    assert!(validate_registered_model_tag(&"k".repeat(250), &"v".repeat(100_000)).is_ok());
    assert_eq!(
        err(validate_model_version_tag("k", &"v".repeat(100_001))),
        "'value' exceeds the maximum length of 100000 characters"
    );
    assert_eq!(
        err(validate_model_version_tag(
            "mlflow.prompt.text",
            &"v".repeat(100_001)
        )),
        "Prompt text exceeds max length of 100000 characters."
    );
    assert!(err(validate_registered_model_tag("é", &"é".repeat(100_001))).contains("'value'"));
}

#[test]
fn versions() {
    assert_eq!(parse_model_version("1"), Ok(1));
    assert_eq!(parse_model_version(" 2 "), Ok(2));
    assert_eq!(parse_model_version("+3"), Ok(3));
    assert_eq!(parse_model_version("1_0"), Ok(10));
    assert_eq!(
        err(parse_model_version("1.0")),
        "Parameter 'version' must be an integer, got '1.0'."
    );
    assert!(parse_model_version("a").is_err());
}

#[test]
fn stages_are_case_insensitive_and_canonical() {
    for (input, stage) in [
        ("none", Stage::None),
        ("STAGING", Stage::Staging),
        ("Production", Stage::Production),
        ("archived", Stage::Archived),
    ] {
        assert_eq!(Stage::parse(input), Ok(stage));
        assert_eq!(input.parse::<Stage>(), Ok(stage));
    }
    assert_eq!(Stage::Staging.to_string(), "Staging");
    assert_eq!(Stage::default().as_str(), "None");
    assert_eq!(
        err(Stage::parse("foo")),
        "Invalid Model Version stage: foo. Value must be one of None, Staging, Production, \
         Archived."
    );
    assert!(Stage::parse("").is_err());
}

#[test]
fn statuses_round_trip() {
    for s in ModelVersionStatus::ALL {
        assert_eq!(ModelVersionStatus::parse(s.as_str()), Some(s));
        assert_eq!(ModelVersionStatus::from_number(s.number().into()), Some(s));
    }
    assert_eq!(ModelVersionStatus::Ready.number(), 3);
    assert_eq!(ModelVersionStatus::default(), ModelVersionStatus::Ready);
    for s in LoggedModelStatus::ALL {
        assert_eq!(LoggedModelStatus::parse(s.as_str()), Some(s));
        assert_eq!(LoggedModelStatus::from_number(s.number().into()), Some(s));
    }
    assert_eq!(LoggedModelStatus::Ready.as_str(), "LOGGED_MODEL_READY");
    assert_eq!(LoggedModelStatus::UploadFailed.number(), 3);
    assert!(LoggedModelStatus::UploadFailed.is_finalized());
    assert!(!LoggedModelStatus::Pending.is_finalized());
    assert_eq!(LoggedModelStatus::parse("READY"), None);
    assert_eq!(LoggedModelStatus::from_number(4), None);
}

#[test]
fn model_uris() {
    use ModelUri as U;
    let cases: Vec<(&str, ModelUri)> = vec![
        (
            "models:/name/3",
            U::Version {
                name: "name".into(),
                version: 3,
            },
        ),
        (
            "models:/name/007",
            U::Version {
                name: "name".into(),
                version: 7,
            },
        ),
        (
            "MODELS:/name/1",
            U::Version {
                name: "name".into(),
                version: 1,
            },
        ),
        (
            "models://profile@databricks/name/1",
            U::Version {
                name: "name".into(),
                version: 1,
            },
        ),
        (
            "models:/name/1?x=1",
            U::Version {
                name: "name".into(),
                version: 1,
            },
        ),
        (
            "models:/name/Production",
            U::Stage {
                name: "name".into(),
                stage: Stage::Production,
            },
        ),
        (
            "models:/name/staging",
            U::Stage {
                name: "name".into(),
                stage: Stage::Staging,
            },
        ),
        (
            "models:/name@alias",
            U::Alias {
                name: "name".into(),
                alias: "alias".into(),
            },
        ),
        (
            "models:/a@b@c",
            U::Alias {
                name: "a@b".into(),
                alias: "c".into(),
            },
        ),
        (
            "models:/m-123",
            U::LoggedModel {
                model_id: "m-123".into(),
            },
        ),
        (
            "models:/name/latest",
            U::Latest {
                name: "name".into(),
            },
        ),
        (
            "models:/name/LATEST",
            U::Latest {
                name: "name".into(),
            },
        ),
        (
            "runs:/abc/model",
            U::Run {
                run_id: "abc".into(),
                artifact_path: Some("model".into()),
            },
        ),
        (
            "runs:/abc/a/b",
            U::Run {
                run_id: "abc".into(),
                artifact_path: Some("a/b".into()),
            },
        ),
        (
            "runs:/abc",
            U::Run {
                run_id: "abc".into(),
                artifact_path: None,
            },
        ),
        (
            "runs:/abc/",
            U::Run {
                run_id: "abc".into(),
                artifact_path: None,
            },
        ),
        (
            "runs://x/abc/m",
            U::Run {
                run_id: "abc".into(),
                artifact_path: Some("m".into()),
            },
        ),
    ];
    for (uri, expected) in cases {
        assert_eq!(ModelUri::parse(uri), Ok(expected), "{uri}");
    }
    let models_msg = |u: &str| {
        format!(
            "Not a proper models:/ URI: {u}. Models URIs must be of the form \
             'models:/name/suffix' or 'models:/name@alias' where suffix is a version, stage, or \
             the string 'latest' and where alias is a registered model alias. Only one of suffix \
             or alias can be defined at a time."
        )
    };
    for bad in [
        "models:/",
        "models:",
        "models:/a/b/c",
        "models:/ /1",
        "models:/name/ ",
        "models:/name@",
        "models:name/1",
        "s3://bucket/x",
        "",
        "name/1",
    ] {
        assert_eq!(err(ModelUri::parse(bad)), models_msg(bad), "{bad}");
    }
    for bad in ["runs:/", "runs:abc", "runs://x"] {
        assert_eq!(
            err(ModelUri::parse(bad)),
            format!(
                "Not a proper runs:/ URI: {bad}. Runs URIs must be of the form \
                 'runs:/<run_id>/run-relative/path/to/artifact'"
            )
        );
    }
    assert!(err(ModelUri::parse("models:/name/foo")).starts_with("Invalid Model Version stage"));
    assert_eq!(
        ModelUri::parse("models:/m@champ")
            .unwrap()
            .registered_model_name(),
        Some("m")
    );
    assert_eq!(
        ModelUri::parse("models:/m-1")
            .unwrap()
            .registered_model_name(),
        None
    );
}

#[test]
fn model_uris_display_and_reparse() {
    for uri in [
        "models:/name/3",
        "models:/name/Production",
        "models:/name@alias",
        "models:/m-abc",
        "models:/name/latest",
        "runs:/r1/model/sub",
        "runs:/r1",
    ] {
        let parsed = ModelUri::parse(uri).unwrap();
        assert_eq!(parsed.to_string(), uri);
        assert_eq!(uri.parse::<ModelUri>(), Ok(parsed));
    }
}

//! MLmodel files written by the official MLflow 3.17.2 client (see `fixtures/generate.py`)
//! must parse, expose the right typed values, and survive a write/read cycle unchanged.
//!
//! Python-side check: `tests/python/test_mlmodel_roundtrip.py` runs this test binary with
//! `FERROFLOW_MLMODEL_WRITE_DIR=<dir>`, which makes `rewritten_files_for_python_check` save
//! every rewritten fixture as `<dir>/<fixture>/MLmodel`; the pytest then asserts that
//! `yaml.safe_load` and `mlflow.models.Model.load(...).to_dict()` see the same data in
//! the original and in our rewrite. By hand:
//!
//! ```text
//! ~/.cache/ferroflow/venv-mlflow-3.17.2/bin/python -m pytest crates/ferroflow-serving/tests/python
//! ```

use std::path::{Path, PathBuf};

use ferroflow_serving::{
    ColType, DataType, MlModel, MlModelError, ParamType, PyFuncEnv, Schema, YamlMap, YamlValue,
};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("MLmodel").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn load(name: &str) -> MlModel {
    MlModel::load(fixtures_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn raw_tree(name: &str) -> YamlValue {
    let text = std::fs::read_to_string(fixtures_dir().join(name).join("MLmodel")).unwrap();
    YamlValue::from_yaml_str(&text).unwrap()
}

fn is_hex32(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn meta<'a>(m: &'a MlModel, key: &str) -> &'a YamlValue {
    m.metadata
        .as_ref()
        .and_then(|md| md.get(key))
        .unwrap_or_else(|| panic!("metadata.{key}"))
}

#[test]
fn all_expected_fixtures_exist() {
    let names = fixture_names();
    for expected in [
        "logged_sklearn",
        "pyfunc_params",
        "pyfunc_rich_schema",
        "sklearn_dataframe",
        "sklearn_tensor",
        "synthetic_edge_cases",
        "synthetic_legacy_2x",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "missing fixture {expected}"
        );
    }
}

#[test]
fn every_fixture_round_trips_through_our_writer() {
    for name in fixture_names() {
        let model = load(&name);
        // Typed view and raw tree agree: nothing was dropped or invented while reading.
        assert_eq!(
            model.to_yaml_value(),
            raw_tree(&name),
            "{name}: typed view lost data"
        );
        let written = model.to_yaml_string().unwrap();
        let reread =
            MlModel::from_yaml_str(&written).unwrap_or_else(|e| panic!("{name}: {e}\n{written}"));
        assert_eq!(
            reread, model,
            "{name}: write/read changed the model\n{written}"
        );
        assert_eq!(
            YamlValue::from_yaml_str(&written).unwrap(),
            raw_tree(&name),
            "{name}"
        );
        // Writing is deterministic, so a second cycle reproduces the text exactly.
        assert_eq!(reread.to_yaml_string().unwrap(), written, "{name}");
    }
}

/// Writes rewritten fixtures for the Python-side comparison (no-op unless the env var is set).
#[test]
fn rewritten_files_for_python_check() {
    let Some(out) = std::env::var_os("FERROFLOW_MLMODEL_WRITE_DIR") else {
        return;
    };
    for name in fixture_names() {
        load(&name).save(Path::new(&out).join(&name)).unwrap();
    }
}

#[test]
fn save_then_load_from_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let model = load("sklearn_dataframe");
    model.save(dir.path().join("nested/model")).unwrap();
    let back = MlModel::load(dir.path().join("nested/model")).unwrap();
    assert_eq!(back, model);
    // `load` also accepts the MLmodel file itself, like MLflow's Model.load.
    let back = MlModel::load(dir.path().join("nested/model/MLmodel")).unwrap();
    assert_eq!(back, model);
}

#[test]
fn sklearn_dataframe_fields() {
    let m = load("sklearn_dataframe");
    assert_eq!(m.artifact_path, None);
    assert_eq!(m.run_id, None);
    assert_eq!(m.model_id, None);
    assert!(is_hex32(m.model_uuid.as_deref().unwrap()));
    assert_eq!(m.mlflow_version.as_deref(), Some("3.17.2"));
    assert!(m.model_size_bytes.unwrap() > 1000);
    let created = m.utc_time_created.as_deref().unwrap();
    assert_eq!(
        created.len(),
        "2026-11-25 14:59:19.996580".len(),
        "{created}"
    );
    assert_eq!(
        m.flavors.keys().collect::<Vec<_>>(),
        ["python_function", "sklearn"]
    );

    let pf = m.python_function().unwrap();
    assert_eq!(pf.loader_module(), Some("mlflow.sklearn"));
    assert_eq!(pf.model_path(), Some("model.skops"));
    assert_eq!(pf.data(), None);
    assert_eq!(pf.predict_fn(), Some("predict"));
    assert_eq!(pf.python_version(), Some("3.11.7"));
    assert_eq!(
        pf.env(),
        Some(PyFuncEnv::Managers {
            conda: Some("conda.yaml"),
            virtualenv: Some("python_env.yaml")
        })
    );
    let sk = m.flavor("sklearn").and_then(YamlValue::as_map).unwrap();
    assert_eq!(
        sk.get("serialization_format"),
        Some(&YamlValue::from("skops"))
    );
    assert_eq!(sk.get("code"), Some(&YamlValue::Null));

    let sig = m.signature.as_ref().unwrap();
    assert_eq!(sig.params, None);
    let Some(Schema::Columns(cols)) = sig.input_schema().unwrap() else {
        panic!("expected a column schema");
    };
    let names: Vec<_> = cols.iter().map(|c| c.name.as_deref().unwrap()).collect();
    assert_eq!(
        names,
        [
            "sepal length (cm)",
            "sepal width (cm)",
            "petal length (cm)",
            "petal width (cm)"
        ]
    );
    assert!(
        cols.iter()
            .all(|c| c.ty == ColType::Scalar(DataType::Double) && c.required)
    );
    // `model.predict` returns a numpy array, so MLflow infers a tensor output even though
    // the input is a DataFrame.
    let Some(Schema::Tensors(out)) = sig.output_schema().unwrap() else {
        panic!("expected a tensor output schema");
    };
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].name.as_deref(), out[0].dtype.as_str()),
        (None, "int64")
    );
    assert_eq!(sig.param_schema().unwrap(), None);

    let ex = m.saved_input_example_info.as_ref().unwrap();
    assert_eq!(ex.artifact_path.as_deref(), Some("input_example.json"));
    assert_eq!(ex.example_type.as_deref(), Some("dataframe"));
    assert_eq!(ex.pandas_orient.as_deref(), Some("split"));
    assert_eq!(
        ex.serving_input_path.as_deref(),
        Some("serving_input_example.json")
    );
    assert_eq!(m.is_signature_from_type_hint, Some(false));

    // MLflow writes these as explicit nulls; so must we.
    let text = m.to_yaml_string().unwrap();
    for line in [
        "model_id: null",
        "prompts: null",
        "  params: null",
        "    code: null",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    assert!(
        text.contains("utc_time_created: '"),
        "timestamp must stay quoted:\n{text}"
    );
}

#[test]
fn sklearn_tensor_signature() {
    let m = load("sklearn_tensor");
    let sig = m.signature.as_ref().unwrap();
    let Some(Schema::Tensors(inputs)) = sig.input_schema().unwrap() else {
        panic!("expected tensors");
    };
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0].name, None);
    assert_eq!(inputs[0].dtype, "float32");
    assert_eq!(inputs[0].shape, [-1, 4]);
    let Some(Schema::Tensors(outputs)) = sig.output_schema().unwrap() else {
        panic!("expected tensors");
    };
    assert_eq!(outputs[0].dtype, "int64");
    assert_eq!(outputs[0].shape, [-1]);
    let ex = m.saved_input_example_info.as_ref().unwrap();
    assert_eq!(ex.example_type.as_deref(), Some("ndarray"));
    assert_eq!(ex.pandas_orient, None);
}

#[test]
fn pyfunc_params_fields() {
    let m = load("pyfunc_params");
    let pf = m.python_function().unwrap();
    assert_eq!(pf.loader_module(), Some("mlflow.pyfunc.model"));
    assert_eq!(pf.streamable(), Some(false));
    assert_eq!(
        pf.raw().get("python_model"),
        Some(&YamlValue::from("python_model.pkl"))
    );

    let params = m
        .signature
        .as_ref()
        .unwrap()
        .param_schema()
        .unwrap()
        .unwrap();
    let summary: Vec<_> = params
        .0
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.ty.clone(),
                p.default.clone(),
                p.shape.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "temperature",
                ParamType::Scalar(DataType::Double),
                serde_json::json!(0.5),
                None
            ),
            (
                "max_tokens",
                ParamType::Scalar(DataType::Long),
                serde_json::json!(16),
                None
            ),
            (
                "stop",
                ParamType::Scalar(DataType::String),
                serde_json::json!(["a", "b"]),
                Some(vec![-1])
            ),
            (
                "verbose",
                ParamType::Scalar(DataType::Boolean),
                serde_json::json!(false),
                None
            ),
        ]
    );
    // `'on'` and `'1.0'` were quoted by PyYAML and must stay strings.
    assert_eq!(
        meta(&m, "tags"),
        &YamlValue::Seq(vec!["a".into(), "on".into()])
    );
    assert_eq!(meta(&m, "version"), &YamlValue::from("1.0"));
    // MLflow stores this flag as the *string* 'true'; it is kept in `extra` untouched.
    let ex = m.saved_input_example_info.as_ref().unwrap();
    assert_eq!(ex.extra.get("params"), Some(&YamlValue::from("true")));
}

#[test]
fn pyfunc_rich_schema_types() {
    let m = load("pyfunc_rich_schema");
    let sig = m.signature.as_ref().unwrap();
    let Some(Schema::Columns(cols)) = sig.input_schema().unwrap() else {
        panic!("expected columns");
    };
    let by_name = |n: &str| cols.iter().find(|c| c.name.as_deref() == Some(n)).unwrap();
    for (name, dt) in [
        ("b", DataType::Boolean),
        ("i", DataType::Integer),
        ("l", DataType::Long),
        ("f", DataType::Float),
        ("d", DataType::Double),
        ("s", DataType::String),
        ("bin", DataType::Binary),
        ("ts", DataType::Datetime),
    ] {
        assert_eq!(by_name(name).ty, ColType::Scalar(dt), "{name}");
    }
    assert!(!by_name("d").required);
    assert!(by_name("s").required);
    assert_eq!(
        by_name("tags").ty,
        ColType::Array(Box::new(ColType::Scalar(DataType::String)))
    );
    assert_eq!(
        by_name("matrix").ty,
        ColType::Array(Box::new(ColType::Array(Box::new(ColType::Scalar(
            DataType::Long
        )))))
    );
    let ColType::Object(props) = &by_name("obj").ty else {
        panic!("obj should be an object");
    };
    let summary: Vec<_> = props
        .iter()
        .map(|p| (p.name.as_str(), p.required))
        .collect();
    assert_eq!(
        summary,
        [("labels", true), ("name", true), ("score", false)]
    );
    assert_eq!(
        props[0].ty,
        ColType::Array(Box::new(ColType::Scalar(DataType::String)))
    );
    assert_eq!(
        by_name("counts").ty,
        ColType::Map(Box::new(ColType::Scalar(DataType::Long)))
    );
    assert_eq!(
        by_name("groups").ty,
        ColType::Map(Box::new(ColType::Array(Box::new(ColType::Scalar(
            DataType::String
        )))))
    );
    assert_eq!(by_name("anything").ty, ColType::Any);
    assert!(!by_name("anything").required);

    let params = sig.param_schema().unwrap().unwrap();
    let when = params.0.iter().find(|p| p.name == "when").unwrap();
    assert_eq!(when.ty, ParamType::Scalar(DataType::Datetime));
    assert_eq!(when.default, serde_json::json!("2024-05-06T07:08:09"));
    let opts = params.0.iter().find(|p| p.name == "opts").unwrap();
    let ParamType::Object(props) = &opts.ty else {
        panic!("opts should be an object param");
    };
    assert_eq!(props.len(), 2);
    assert_eq!(opts.default, serde_json::json!({"a": 1, "b": "z"}));
}

#[test]
fn logged_model_has_tracking_ids() {
    let m = load("logged_sklearn");
    let artifact_path = m.artifact_path.as_deref().unwrap();
    assert!(artifact_path.starts_with("file://"), "{artifact_path}");
    let model_id = m.model_id.as_deref().unwrap();
    assert!(model_id.starts_with("m-"), "{model_id}");
    assert!(artifact_path.contains(model_id));
    assert_eq!(m.model_uuid.as_deref(), Some(model_id));
    assert!(is_hex32(m.run_id.as_deref().unwrap()));
    assert_eq!(m.prompts, None);
}

#[test]
fn edge_cases_keep_unknown_keys_and_odd_values() {
    let m = load("synthetic_edge_cases");
    for key in ["resources", "env_vars", "auth_policy", "some_future_key"] {
        assert!(m.extra.contains_key(key), "extra lost {key}");
    }
    assert_eq!(m.extra.get("auth_policy"), Some(&YamlValue::Null));
    assert_eq!(
        m.prompts.as_deref(),
        Some(&["prompts:/greeting/1".to_owned()][..])
    );
    let pf = m.python_function().unwrap();
    assert_eq!(pf.data(), Some("data"));
    assert_eq!(pf.code(), Some("code"));
    assert_eq!(pf.streamable(), Some(true));
    let config = pf.config().and_then(YamlValue::as_map).unwrap();
    assert_eq!(config.get("on"), Some(&YamlValue::from("off")));

    // Integer keys of a label map stay integers.
    let labels = meta(&m, "label_map").as_map().unwrap();
    assert_eq!(
        labels.get_value(&YamlValue::Int(1)),
        Some(&YamlValue::from("versicolor"))
    );
    assert_eq!(labels.get("1"), None);
    let odd = meta(&m, "odd_keys").as_map().unwrap();
    assert_eq!(
        odd.get_value(&YamlValue::Bool(true)),
        Some(&YamlValue::Int(5))
    );
    assert_eq!(odd.get_value(&YamlValue::Null), Some(&YamlValue::Int(6)));
    assert_eq!(
        odd.get_value(&YamlValue::Float(1.5)),
        Some(&YamlValue::Int(7))
    );
    assert_eq!(odd.get("yes"), Some(&YamlValue::Int(2)));

    let floats = meta(&m, "floats").as_seq().unwrap();
    assert!(matches!(floats[6], YamlValue::Float(f) if f == f64::NEG_INFINITY));
    assert!(matches!(floats[7], YamlValue::Float(f) if f.is_nan()));
    let ints = meta(&m, "ints").as_seq().unwrap();
    assert_eq!(ints[3], YamlValue::Int((1_i128 << 63) + 5));

    // Plain timestamps stay timestamps (PyYAML reads them as date/datetime objects).
    let stamps = meta(&m, "timestamps").as_seq().unwrap();
    assert_eq!(stamps[0], YamlValue::Timestamp("2024-01-02".into()));
    assert_eq!(
        stamps[2],
        YamlValue::Timestamp("2024-01-02 03:04:05+00:00".into())
    );
    // The alias resolves to a copy of the anchored list.
    assert_eq!(meta(&m, "alias_b"), meta(&m, "alias_a"));
    assert_eq!(meta(&m, "alias_b").as_seq().map(<[_]>::len), Some(2));

    // Every string PyYAML quoted is still a string after our read...
    for key in ["bools", "numbers", "nulls", "dates", "reserved", "text"] {
        let items = meta(&m, key).as_seq().unwrap();
        assert!(
            items.iter().all(|v| v.as_str().is_some()),
            "{key}: {items:?}"
        );
    }
    // ...and after our write.
    let again = MlModel::from_yaml_str(&m.to_yaml_string().unwrap()).unwrap();
    assert_eq!(meta(&again, "numbers"), meta(&m, "numbers"));
}

#[test]
fn legacy_file_does_not_gain_keys() {
    let m = load("synthetic_legacy_2x");
    assert_eq!(
        m.python_function().unwrap().env(),
        Some(PyFuncEnv::Path("conda.yaml"))
    );
    let text = m.to_yaml_string().unwrap();
    // Absent keys stay absent: MLflow 2.x files have neither model_id nor prompts,
    // and their signatures have no params key.
    for absent in [
        "model_id",
        "prompts",
        "params",
        "model_uuid",
        "mlflow_version",
    ] {
        assert!(!text.contains(absent), "{absent} appeared in\n{text}");
    }
}

#[test]
fn fresh_model_writes_like_a_fresh_mlflow_model() {
    let mut m = MlModel::default();
    assert_eq!(
        m.to_yaml_string().unwrap(),
        "flavors: {}\nmodel_id: null\nprompts: null\n"
    );
    let mut config = YamlMap::new();
    config.insert("loader_module", "mlflow.sklearn");
    config.insert("python_version", "3.11");
    m.add_flavor("python_function", config);
    m.model_id = Some("m-1".into());
    m.utc_time_created = Some("2026-01-02 03:04:05".into());
    m.set_write_null("prompts", false).unwrap();
    assert!(m.set_write_null("no_such_key", true).is_err());
    let text = m.to_yaml_string().unwrap();
    assert_eq!(
        text,
        "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    python_version: '3.11'\n\
         model_id: m-1\nutc_time_created: '2026-01-02 03:04:05'\n"
    );
}

#[test]
fn bad_documents_are_errors_not_panics() {
    let cases = [
        ("", "mapping"),
        ("- a\n- b\n", "mapping"),
        ("flavors: [a]\n", "flavors"),
        ("flavors: {}\nmodel_size_bytes: '12'\n", "model_size_bytes"),
        ("flavors: {}\nmodel_size_bytes: -1\n", "model_size_bytes"),
        ("flavors: {}\nrun_id: 12\n", "run_id"),
        ("flavors: {}\nprompts: [1]\n", "prompts"),
        ("flavors: {}\nsignature: x\n", "signature"),
        (
            "flavors: {}\nsignature: {inputs: [1]}\n",
            "signature.inputs",
        ),
        ("flavors: {}\nmetadata: [1]\n", "metadata"),
        ("flavors: {1: {}}\n", "flavors"),
        ("flavors: {a: 1\n", "YAML"),
        ("a: [\n", "YAML"),
        ("? [a]\n: 1\n", "YAML"),
        ("flavors: !!python/object:os.system {}\n", "unsupported"),
        ("flavors: {}\nx: !!python/name:os.system\n", "python/name"),
        ("flavors: {}\n---\nflavors: {}\n", "single document"),
        ("flavors: {}\nx: =\n", "YAML"),
    ];
    for (doc, needle) in cases {
        let err = MlModel::from_yaml_str(doc).expect_err(doc).to_string();
        assert!(err.contains(needle), "{doc:?}: {err}");
    }
    let err = MlModel::load("/nonexistent/model/dir").unwrap_err();
    assert!(matches!(err, MlModelError::NotFound { .. }), "{err}");
}

#[test]
fn duplicate_keys_last_wins_like_pyyaml() {
    let doc = "# leading comment\nflavors: {} # trailing\nrun_id: a\nrun_id: b\n";
    let m = MlModel::from_yaml_str(doc).unwrap();
    assert_eq!(m.run_id.as_deref(), Some("b"));
}

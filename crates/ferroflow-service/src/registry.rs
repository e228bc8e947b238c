//! The model registry as use cases: registered models, versions, tags, aliases and stages.
//!
//! Besides MLflow's validation this is where a version's `source` is resolved and vetted. The
//! source is a URI the server will later hand to clients as the place to download the model
//! from, so it must never name files outside the server's artifact stores (MLflow had
//! path-traversal and local-file-read CVEs through it) nor a host of the caller's choosing.
//! The rules are MLflow 3.17.2's: proxied and `runs:/` sources need the run (or logged model)
//! that contains them, object-store URIs need nothing. Deliberately stricter: a scheme that is
//! neither one of the server's nor a known object store is refused (MLflow stores it).

use crate::{map_store, now_ms};
use ferroflow_core::registry::{
    ModelUri, ModelVersion, RegisteredModel, SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
    SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT, SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
    Stage, parse_model_version, validate_alias_for_set, validate_alias_name,
    validate_model_version_tag, validate_new_registered_model_name, validate_registered_model_name,
    validate_registered_model_tag,
};
use ferroflow_core::search::{
    model_version_filter_selects_prompts, parse_model_version_filter,
    parse_model_version_order_by_list, parse_registered_model_filter,
    parse_registered_model_order_by_list, registered_model_filter_selects_prompts,
};
use ferroflow_core::{Error, Page, Result, RunId, Tag};
use ferroflow_store::{
    LoggedModelStore, ModelVersionQuery, NewModelVersion, NewRegisteredModel, RegisteredModelQuery,
    RegistryStore, StoreError, TrackingStore,
};
use std::sync::Arc;

/// Input of [`RegistryService::create_model_version`], as the client may send it.
#[derive(Debug, Clone, Default)]
pub struct CreateModelVersion {
    pub name: String,
    pub source: String,
    pub run_id: Option<String>,
    pub model_id: Option<String>,
    pub run_link: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<Tag>,
}

/// Input of the two registry searches; the offset comes from the page token.
#[derive(Debug, Clone, Default)]
pub struct SearchRegistry {
    pub filter: Option<String>,
    pub order_by: Vec<String>,
    pub max_results: Option<i64>,
    pub offset: u64,
}

pub struct RegistryService {
    store: Arc<dyn RegistryStore>,
    logged_models: Arc<dyn LoggedModelStore>,
    tracking: Arc<dyn TrackingStore>,
}

fn max_results(value: Option<i64>, default: i64, limit: i64) -> Result<u64> {
    let v = value.unwrap_or(default);
    if v < 1 {
        return Err(Error::invalid(format!(
            "Invalid value for max_results. It must be a positive integer, but got {v}"
        )));
    }
    if v > limit {
        return Err(Error::invalid(format!(
            "Invalid value for request parameter max_results. It must be at most {limit}, but \
             got value {v}"
        )));
    }
    Ok(u64::try_from(v).unwrap_or(0))
}

fn alias_not_found(alias: &str) -> Error {
    Error::invalid(format!("Registered model alias {alias} not found."))
}

impl RegistryService {
    pub fn new(
        store: Arc<dyn RegistryStore>,
        logged_models: Arc<dyn LoggedModelStore>,
        tracking: Arc<dyn TrackingStore>,
    ) -> Self {
        Self {
            store,
            logged_models,
            tracking,
        }
    }

    // ------------------------------------------------------------------- registered models

    pub async fn create_registered_model(
        &self,
        name: &str,
        tags: Vec<Tag>,
        description: Option<String>,
    ) -> Result<RegisteredModel> {
        validate_registered_model_name(name)?;
        for t in &tags {
            validate_registered_model_tag(&t.key, &t.value)?;
        }
        self.store
            .create_registered_model(NewRegisteredModel {
                name: name.to_owned(),
                description,
                tags,
                now: now_ms(),
            })
            .await
            .map_err(map_store)
    }

    pub async fn get_registered_model(&self, name: &str) -> Result<RegisteredModel> {
        validate_registered_model_name(name)?;
        self.store
            .get_registered_model(name)
            .await
            .map_err(map_store)
    }

    pub async fn rename_registered_model(
        &self,
        name: &str,
        new_name: &str,
    ) -> Result<RegisteredModel> {
        validate_registered_model_name(name)?;
        validate_new_registered_model_name(new_name)?;
        self.store
            .rename_registered_model(name, new_name, now_ms())
            .await
            .map_err(map_store)
    }

    pub async fn update_registered_model(
        &self,
        name: &str,
        description: Option<String>,
    ) -> Result<RegisteredModel> {
        validate_registered_model_name(name)?;
        self.store
            .update_registered_model(name, description, now_ms())
            .await
            .map_err(map_store)
    }

    pub async fn delete_registered_model(&self, name: &str) -> Result<()> {
        validate_registered_model_name(name)?;
        self.store
            .delete_registered_model(name)
            .await
            .map_err(map_store)
    }

    pub async fn search_registered_models(
        &self,
        q: SearchRegistry,
    ) -> Result<Page<RegisteredModel>> {
        let max_results = max_results(
            q.max_results,
            SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
            SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
        )?;
        let filter = crate::rules::parse_filter(
            q.filter.as_deref().unwrap_or(""),
            parse_registered_model_filter,
        )
        .await?;
        ferroflow_core::search::limits::check_order_by_terms(q.order_by.len())?;
        let order_by = parse_registered_model_order_by_list(&q.order_by)?;
        let include_prompts = registered_model_filter_selects_prompts(&filter);
        self.store
            .search_registered_models(RegisteredModelQuery {
                filter,
                order_by,
                include_prompts,
                max_results,
                offset: q.offset,
            })
            .await
            .map_err(map_store)
    }

    pub async fn get_latest_versions(
        &self,
        name: &str,
        stages: &[String],
    ) -> Result<Vec<ModelVersion>> {
        validate_registered_model_name(name)?;
        let stages = stages
            .iter()
            .map(|s| Stage::parse(s))
            .collect::<Result<Vec<_>>>()?;
        self.store
            .get_latest_versions(name, stages)
            .await
            .map_err(map_store)
    }

    pub async fn set_registered_model_tag(&self, name: &str, key: &str, value: &str) -> Result<()> {
        validate_registered_model_name(name)?;
        validate_registered_model_tag(key, value)?;
        self.store
            .set_registered_model_tag(name, Tag::new(key, value))
            .await
            .map_err(map_store)
    }

    pub async fn delete_registered_model_tag(&self, name: &str, key: &str) -> Result<()> {
        validate_registered_model_name(name)?;
        self.store
            .delete_registered_model_tag(name, key)
            .await
            .map_err(map_store)
    }

    // ------------------------------------------------------------------------------ aliases

    pub async fn set_registered_model_alias(
        &self,
        name: &str,
        alias: &str,
        version: &str,
    ) -> Result<()> {
        validate_registered_model_name(name)?;
        validate_alias_for_set(alias)?;
        let version = parse_model_version(version)?;
        self.store
            .set_registered_model_alias(name, alias, version)
            .await
            .map_err(map_store)
    }

    pub async fn delete_registered_model_alias(&self, name: &str, alias: &str) -> Result<()> {
        validate_registered_model_name(name)?;
        validate_alias_name(alias)?;
        self.store
            .delete_registered_model_alias(name, alias)
            .await
            .map_err(map_store)
    }

    /// `latest` (any case) names the newest version, as in MLflow; other missing aliases are an
    /// invalid parameter (MLflow's code), not a missing resource.
    pub async fn get_model_version_by_alias(
        &self,
        name: &str,
        alias: &str,
    ) -> Result<ModelVersion> {
        validate_registered_model_name(name)?;
        if alias.eq_ignore_ascii_case("latest") {
            let latest = self
                .store
                .get_latest_versions(name, Vec::new())
                .await
                .map_err(map_store)?;
            return latest.into_iter().max_by_key(|v| v.version).ok_or_else(|| {
                Error::not_found(format!("Latest version not found for model {name}."))
            });
        }
        validate_alias_name(alias)?;
        self.store
            .get_model_version_by_alias(name, alias)
            .await
            .map_err(map_store)?
            .ok_or_else(|| alias_not_found(alias))
    }

    // ------------------------------------------------------------------------ model versions

    pub async fn create_model_version(&self, req: CreateModelVersion) -> Result<ModelVersion> {
        validate_registered_model_name(&req.name)?;
        for t in &req.tags {
            validate_model_version_tag(&t.key, &t.value)?;
        }
        let mut resolved = self
            .resolve_source(&req.source, req.run_id.clone(), req.model_id.clone())
            .await?;
        if resolved.run_id.is_none()
            && let Some(id) = &resolved.model_id
        {
            // MLflow fills the lineage from the logged model when only model_id is given.
            resolved.run_id = self.source_model(id, &req.source).await?.source_run_id;
        }
        let model_id = resolved.model_id.clone();
        let version = self
            .store
            .create_model_version(NewModelVersion {
                name: req.name,
                source: resolved.source,
                storage_location: resolved.storage_location,
                run_id: resolved.run_id,
                run_link: req.run_link.filter(|s| !s.is_empty()),
                description: req.description,
                tags: req.tags,
                model_id: resolved.model_id,
                now: now_ms(),
            })
            .await
            .map_err(map_store)?;
        if let Some(id) = model_id {
            self.record_version_on_logged_model(&id, &version.name, version.version)
                .await?;
        }
        Ok(version)
    }

    /// Appends `{"name", "version"}` to the logged model's `mlflow.modelVersions` tag (a JSON
    /// list), as MLflow does after registering a version of a logged model; the client and the
    /// UI read it to link the model to its registered versions.
    async fn record_version_on_logged_model(
        &self,
        model_id: &str,
        name: &str,
        version: i64,
    ) -> Result<()> {
        let model = self
            .logged_models
            .get_logged_model(model_id, false)
            .await
            .map_err(map_store)?;
        let existing = model
            .tags
            .iter()
            .find(|t| t.key == MODEL_VERSIONS_TAG)
            .map(|t| t.value.as_str());
        let value = model_versions_tag_value(existing, name, version);
        self.logged_models
            .set_logged_model_tags(model_id, vec![Tag::new(MODEL_VERSIONS_TAG, &value)])
            .await
            .map_err(map_store)
    }

    pub async fn get_model_version(&self, name: &str, version: &str) -> Result<ModelVersion> {
        validate_registered_model_name(name)?;
        let version = parse_model_version(version)?;
        self.store
            .get_model_version(name, version)
            .await
            .map_err(map_store)
    }

    pub async fn update_model_version(
        &self,
        name: &str,
        version: &str,
        description: Option<String>,
    ) -> Result<ModelVersion> {
        validate_registered_model_name(name)?;
        let version = parse_model_version(version)?;
        self.store
            .update_model_version(name, version, description, now_ms())
            .await
            .map_err(map_store)
    }

    pub async fn delete_model_version(&self, name: &str, version: &str) -> Result<()> {
        validate_registered_model_name(name)?;
        let version = parse_model_version(version)?;
        self.store
            .delete_model_version(name, version, now_ms())
            .await
            .map_err(map_store)
    }

    pub async fn transition_model_version_stage(
        &self,
        name: &str,
        version: &str,
        stage: &str,
        archive_existing_versions: bool,
    ) -> Result<ModelVersion> {
        validate_registered_model_name(name)?;
        let version = parse_model_version(version)?;
        let canonical = Stage::parse(stage)?;
        if archive_existing_versions && !matches!(canonical, Stage::Staging | Stage::Production) {
            // MLflow raises this as an internal error; it is the caller's mistake, so 400.
            return Err(Error::invalid(format!(
                "Model version transition cannot archive existing model versions because \
                 '{stage}' is not an Active stage. Valid stages are ['Staging', 'Production']"
            )));
        }
        self.store
            .transition_model_version_stage(
                name,
                version,
                canonical,
                archive_existing_versions,
                now_ms(),
            )
            .await
            .map_err(map_store)
    }

    pub async fn get_model_version_download_uri(
        &self,
        name: &str,
        version: &str,
    ) -> Result<String> {
        validate_registered_model_name(name)?;
        let version = parse_model_version(version)?;
        self.store
            .get_model_version_download_uri(name, version)
            .await
            .map_err(map_store)
    }

    pub async fn search_model_versions(&self, q: SearchRegistry) -> Result<Page<ModelVersion>> {
        let max_results = max_results(
            q.max_results,
            SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
            SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
        )?;
        let filter = crate::rules::parse_filter(
            q.filter.as_deref().unwrap_or(""),
            parse_model_version_filter,
        )
        .await?;
        ferroflow_core::search::limits::check_order_by_terms(q.order_by.len())?;
        let order_by = parse_model_version_order_by_list(&q.order_by)?;
        let include_prompts = model_version_filter_selects_prompts(&filter);
        self.store
            .search_model_versions(ModelVersionQuery {
                filter,
                order_by,
                include_prompts,
                max_results,
                offset: q.offset,
            })
            .await
            .map_err(map_store)
    }

    pub async fn set_model_version_tag(
        &self,
        name: &str,
        version: &str,
        key: &str,
        value: &str,
    ) -> Result<()> {
        validate_registered_model_name(name)?;
        let version = parse_model_version(version)?;
        validate_model_version_tag(key, value)?;
        self.store
            .set_model_version_tag(name, version, Tag::new(key, value))
            .await
            .map_err(map_store)
    }

    pub async fn delete_model_version_tag(
        &self,
        name: &str,
        version: &str,
        key: &str,
    ) -> Result<()> {
        validate_registered_model_name(name)?;
        let version = parse_model_version(version)?;
        self.store
            .delete_model_version_tag(name, version, key)
            .await
            .map_err(map_store)
    }

    // ------------------------------------------------------------------------ source vetting

    /// Resolves a version's source to where its files are (and the run / logged model it came
    /// from), refusing anything that could point the server outside its artifact stores.
    async fn resolve_source(
        &self,
        source: &str,
        run_id: Option<String>,
        model_id: Option<String>,
    ) -> Result<ResolvedSource> {
        let run_id = run_id.filter(|s| !s.is_empty());
        let model_id = model_id.filter(|s| !s.is_empty());
        let uri = SplitUri::parse(source);
        // MLflow checks this first, before any other rule.
        if HOST_ADDRESSED_SCHEMES.contains(&uri.scheme.as_str())
            && (uri.scheme != "mlflow-artifacts" || !uri.authority.is_empty())
        {
            return Err(host_addressed(&uri.scheme));
        }

        if uri.is_local() {
            return self.resolve_local(source, &uri, run_id, model_id).await;
        }
        check_no_traversal(source)?;

        match uri.scheme.as_str() {
            "models" => {
                if !uri.authority.is_empty() {
                    return Err(not_identified(source, "model_id"));
                }
                self.resolve_models_source(source, run_id, model_id).await
            }
            "runs" => {
                if !uri.authority.is_empty() || model_id.is_some() {
                    return Err(not_identified(
                        source,
                        if model_id.is_some() {
                            "model_id"
                        } else {
                            "run_id"
                        },
                    ));
                }
                let Ok(ModelUri::Run {
                    run_id: src_run,
                    artifact_path,
                }) = ModelUri::parse(source)
                else {
                    return Err(not_identified(source, "run_id"));
                };
                // As in MLflow, the run_id parameter is required and must name the run.
                if run_id.as_deref() != Some(src_run.as_str()) {
                    return Err(not_identified(source, "run_id"));
                }
                let run = self.source_run(&src_run, source).await?;
                let storage_location = match &artifact_path {
                    Some(p) => crate::rules::append_to_uri_path(&run.info.artifact_uri, &[p]),
                    None => run.info.artifact_uri.clone(),
                };
                Ok(ResolvedSource {
                    source: source.to_owned(),
                    storage_location,
                    run_id: Some(src_run),
                    model_id: None,
                })
            }
            "mlflow-artifacts" => {
                // Served by this server's proxy: it must lie inside the artifact location of
                // the logged model or run it claims to come from (MLflow's rule).
                let (root, id_name) = if let Some(id) = &model_id {
                    (
                        self.source_model(id, source).await?.artifact_uri,
                        "model_id",
                    )
                } else if let Some(id) = &run_id {
                    (
                        self.source_run(id, source).await?.info.artifact_uri,
                        "run_id",
                    )
                } else {
                    return Err(not_identified(source, "run_id"));
                };
                if uri_within_root(source, &root) {
                    Ok(ResolvedSource::as_given(source, run_id, model_id))
                } else {
                    Err(not_identified(source, id_name))
                }
            }
            scheme if OBJECT_STORE_SCHEMES.contains(&scheme) => {
                // An object-store location outside this server, accepted without a run as
                // MLflow does; the server never reads it, clients download from it directly.
                // An unknown model_id is a missing resource here, as MLflow reports it.
                if let Some(id) = &model_id {
                    self.logged_models
                        .get_logged_model(id, false)
                        .await
                        .map_err(map_store)?;
                }
                Ok(ResolvedSource::as_given(source, run_id, model_id))
            }
            // Deliberately stricter than MLflow, which stores any other scheme as given: an
            // unknown scheme is no artifact store we know to be safe to hand out.
            _ => Err(not_identified(
                source,
                if model_id.is_some() {
                    "model_id"
                } else {
                    "run_id"
                },
            )),
        }
    }

    async fn resolve_models_source(
        &self,
        source: &str,
        run_id: Option<String>,
        model_id: Option<String>,
    ) -> Result<ResolvedSource> {
        let parsed = ModelUri::parse(source).map_err(|_| not_identified(source, "model_id"))?;
        if let ModelUri::LoggedModel { model_id: src_id } = &parsed {
            // As in MLflow, the model_id parameter is required and must name the model.
            if model_id.as_deref() != Some(src_id.as_str()) {
                return Err(not_identified(source, "model_id"));
            }
            let model = self.source_model(src_id, source).await?;
            return Ok(ResolvedSource {
                source: source.to_owned(),
                storage_location: model.artifact_uri,
                run_id: run_id.or(model.source_run_id),
                model_id: Some(src_id.clone()),
            });
        }
        // A registered version as source: the new version shares its files and lineage.
        let name = parsed
            .registered_model_name()
            .unwrap_or_default()
            .to_owned();
        let version = match &parsed {
            ModelUri::Version { version, .. } => *version,
            ModelUri::Alias { alias, .. } => {
                self.get_model_version_by_alias(&name, alias).await?.version
            }
            ModelUri::Latest { .. } => {
                self.get_model_version_by_alias(&name, "latest")
                    .await?
                    .version
            }
            ModelUri::Stage { stage, .. } => {
                self.store
                    .get_latest_versions(&name, vec![*stage])
                    .await
                    .map_err(map_store)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| {
                        Error::not_found(format!(
                            "No versions of model with name '{name}' and stage '{stage}' found"
                        ))
                    })?
                    .version
            }
            ModelUri::LoggedModel { .. } | ModelUri::Run { .. } => {
                return Err(not_identified(source, "model_id"));
            }
        };
        let mv = self
            .store
            .get_model_version(&name, version)
            .await
            .map_err(map_store)?;
        if run_id
            .as_ref()
            .is_some_and(|r| Some(r) != mv.run_id.as_ref())
            || model_id
                .as_ref()
                .is_some_and(|m| Some(m) != mv.model_id.as_ref())
        {
            return Err(Error::invalid(format!(
                "Invalid model version source: '{source}'. The run_id and model_id request \
                 parameters must match the referenced model version."
            )));
        }
        let storage_location = self
            .store
            .get_model_version_download_uri(&name, version)
            .await
            .map_err(map_store)?;
        Ok(ResolvedSource {
            source: format!("models:/{name}/{version}"),
            storage_location,
            run_id: mv.run_id,
            model_id: mv.model_id,
        })
    }

    /// A local path is only acceptable inside the local artifact directory of the run (or
    /// logged model) it claims to come from.
    async fn resolve_local(
        &self,
        source: &str,
        uri: &SplitUri,
        run_id: Option<String>,
        model_id: Option<String>,
    ) -> Result<ResolvedSource> {
        let what = if model_id.is_some() {
            "model_id"
        } else {
            "run_id"
        };
        let refuse = |shown: &str| {
            Error::invalid(format!(
                "Invalid model version source: '{shown}'. To use a local path as a model \
                 version source, the {what} request parameter has to be specified and the local \
                 path has to be contained within the artifact directory of the run specified by \
                 the {what}."
            ))
        };
        let root = if let Some(id) = &model_id {
            self.source_model(id, source).await?.artifact_uri
        } else if let Some(id) = &run_id {
            self.source_run(id, source).await?.info.artifact_uri
        } else {
            return Err(refuse(source));
        };
        // Once the run is found MLflow reports the resolved path rather than the URI given.
        let Some(path) = local_path(uri) else {
            return Err(refuse(source));
        };
        let root_uri = SplitUri::parse(&root);
        let Some(root_path) = local_path(&root_uri).filter(|_| root_uri.is_local()) else {
            return Err(refuse(&path));
        };
        if path == root_path || path.starts_with(&format!("{}/", root_path.trim_end_matches('/'))) {
            Ok(ResolvedSource::as_given(source, run_id, model_id))
        } else {
            Err(refuse(&path))
        }
    }

    async fn source_run(&self, run_id: &str, source: &str) -> Result<ferroflow_core::Run> {
        let id = RunId::parse(run_id).map_err(|_| not_identified(source, "run_id"))?;
        match self.tracking.get_run(&id).await {
            Ok(run) => Ok(run),
            Err(StoreError::NotFound(_)) => Err(not_identified(source, "run_id")),
            Err(e) => Err(map_store(e)),
        }
    }

    async fn source_model(
        &self,
        model_id: &str,
        source: &str,
    ) -> Result<ferroflow_core::registry::LoggedModel> {
        match self.logged_models.get_logged_model(model_id, false).await {
            Ok(m) => Ok(m),
            Err(StoreError::NotFound(_)) => Err(not_identified(source, "model_id")),
            Err(e) => Err(map_store(e)),
        }
    }
}

struct ResolvedSource {
    source: String,
    storage_location: String,
    run_id: Option<String>,
    model_id: Option<String>,
}

impl ResolvedSource {
    fn as_given(source: &str, run_id: Option<String>, model_id: Option<String>) -> Self {
        Self {
            source: source.to_owned(),
            storage_location: source.to_owned(),
            run_id,
            model_id,
        }
    }
}

/// Schemes whose artifact repositories connect to the host named in the URI; MLflow refuses
/// them as sources unless the operator allows them (ferroflow has no such setting), so a
/// client cannot make the server or its other clients fetch from a host of its choosing.
/// `mlflow-artifacts` counts only with an authority (`mlflow-artifacts://host/...`).
const HOST_ADDRESSED_SCHEMES: &[&str] = &[
    "ftp",
    "sftp",
    "hdfs",
    "viewfs",
    "http",
    "https",
    "mlflow-artifacts",
    "r2",
    "b2",
    "abfss",
];

/// Object stores a source may name without a run, as on the official server.
const OBJECT_STORE_SCHEMES: &[&str] = &["s3", "s3a", "s3n", "gs", "wasb", "wasbs", "oss"];

fn host_addressed(scheme: &str) -> Error {
    Error::invalid(format!(
        "'source' cannot use the '{scheme}' scheme: the '{scheme}' scheme addresses a host other \
         than the tracking server's configured artifact storage, so the server would connect to \
         the host named in the URI. Set the MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES \
         environment variable on the server to allow it."
    ))
}

/// The logged-model tag listing the registered versions made from it.
const MODEL_VERSIONS_TAG: &str = "mlflow.modelVersions";

/// The tag's new value: the existing list (if it parses as one) plus this version unless
/// already listed, written as Python's `json.dumps` writes it (`", "` and `": "` separators).
fn model_versions_tag_value(existing: Option<&str>, name: &str, version: i64) -> String {
    let entry = serde_json::json!({"name": name, "version": version});
    let mut list = existing
        .and_then(|v| serde_json::from_str::<Vec<serde_json::Value>>(v).ok())
        .unwrap_or_default();
    if !list.contains(&entry) {
        list.push(entry);
    }
    let items: Vec<String> = list
        .iter()
        .map(|item| match item.as_object() {
            Some(obj) => {
                let fields: Vec<String> = ["name", "version"]
                    .iter()
                    .filter_map(|k| obj.get(*k).map(|v| format!("\"{k}\": {v}")))
                    .chain(
                        obj.iter()
                            .filter(|(k, _)| *k != "name" && *k != "version")
                            .map(|(k, v)| format!("{}: {v}", serde_json::Value::from(k.as_str()))),
                    )
                    .collect();
                format!("{{{}}}", fields.join(", "))
            }
            None => item.to_string(),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn not_identified(source: &str, id_name: &str) -> Error {
    Error::invalid(format!(
        "Invalid model version source: '{source}'. The {id_name} request parameter must \
         identify the resource that contains the source."
    ))
}

/// A URI split the way `urllib.parse.urlsplit` does, enough for vetting sources.
struct SplitUri {
    /// Lower-cased; empty for a bare path.
    scheme: String,
    authority: String,
    path: String,
}

impl SplitUri {
    fn parse(uri: &str) -> Self {
        let (scheme, rest) = match uri.split_once(':') {
            Some((s, rest))
                if s.len() > 1
                    && s.starts_with(|c: char| c.is_ascii_alphabetic())
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
            {
                (s.to_ascii_lowercase(), rest)
            }
            _ => (String::new(), uri),
        };
        let (authority, path) = match rest.strip_prefix("//") {
            Some(after) => match after.find(['/', '?', '#']) {
                Some(i) => (after[..i].to_owned(), &after[i..]),
                None => (after.to_owned(), ""),
            },
            None => (String::new(), rest),
        };
        let path = path.split(['?', '#']).next().unwrap_or("").to_owned();
        Self {
            scheme,
            authority,
            path,
        }
    }

    /// MLflow's `is_local_uri`: a bare path or a `file:` URI on this host.
    fn is_local(&self) -> bool {
        self.scheme.is_empty()
            || (self.scheme == "file"
                && (self.authority.is_empty() || self.authority.eq_ignore_ascii_case("localhost")))
    }
}

/// The normalised absolute path of a local URI; `None` for relative paths, whose meaning would
/// depend on the server's working directory.
fn local_path(uri: &SplitUri) -> Option<String> {
    let decoded = unquote_fully(&uri.path, false)?;
    if !decoded.starts_with('/') || decoded.contains('\0') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Percent-decodes until nothing changes, so double-encoded `..` (`%252e%252e`) is caught too;
/// `None` when the string is still changing after MLflow's 10 rounds (refused by every caller).
fn unquote_fully(s: &str, plus_as_space: bool) -> Option<String> {
    crate::rules::decode_until_stable(s, plus_as_space)
}

/// Refuses sources with relative path references in any encoding: `..` segments, `.` or empty
/// segments that would normalise away, NUL bytes and backslashes. Mirrors MLflow's check
/// (unquote until stable, then the path must equal its normalised form) and adds backslashes,
/// which some artifact stores treat as separators.
fn check_no_traversal(source: &str) -> Result<()> {
    let bad = || {
        Error::invalid(format!(
            "Invalid model version source: '{source}'. If supplying a source as an http, https, \
             local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be \
             provided without relative path references present. Please provide an absolute path."
        ))
    };
    let Some(decoded) = unquote_fully(source, true) else {
        return Err(bad());
    };
    if decoded.contains('\0')
        || decoded.contains('\\')
        || decoded.split('/').any(|seg| seg == ".." || seg == ".")
    {
        return Err(bad());
    }
    let path = SplitUri::parse(&decoded).path;
    let mut collapsed = String::with_capacity(path.len());
    for c in path.trim_end_matches('/').chars() {
        if !(c == '/' && collapsed.ends_with('/')) {
            collapsed.push(c);
        }
    }
    if !collapsed.is_empty() && !collapsed.starts_with('/') {
        return Err(bad());
    }
    Ok(())
}

/// MLflow's `_is_uri_within_root`: same scheme and authority, and the root's (decoded) path
/// segments are a non-empty prefix of the source's.
fn uri_within_root(source: &str, root: &str) -> bool {
    let parts = |u: &SplitUri| -> Option<Vec<String>> {
        u.path
            .split('/')
            .filter(|p| !p.is_empty())
            .map(|p| unquote_fully(p, false))
            .collect()
    };
    let (s, r) = (SplitUri::parse(source), SplitUri::parse(root));
    let (Some(sp), Some(rp)) = (parts(&s), parts(&r)) else {
        return false;
    };
    s.scheme == r.scheme
        && s.authority.eq_ignore_ascii_case(&r.authority)
        && !rp.is_empty()
        && sp.len() >= rp.len()
        && sp[..rp.len()] == rp[..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused_in_every_encoding() {
        for bad in [
            "mlflow-artifacts:/1/../../etc",
            "mlflow-artifacts:/1/%2e%2e/%2e%2e/etc",
            "mlflow-artifacts:/1/%252e%252e/x",
            "mlflow-artifacts:/1/..%2f..%2fetc",
            "s3://b/models/path/../../other",
            "mlflow-artifacts:/1/./x",
            "mlflow-artifacts:/1/x%00",
            "mlflow-artifacts:/1/a\\..\\b",
        ] {
            assert!(check_no_traversal(bad).is_err(), "{bad}");
        }
        for ok in [
            "mlflow-artifacts:/1/abc/artifacts/model",
            "s3://bucket/a/b",
            "runs:/abc/model",
            "models:/m-123",
        ] {
            assert!(check_no_traversal(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn within_root_compares_whole_segments() {
        let root = "mlflow-artifacts:/1/run/artifacts";
        assert!(uri_within_root(
            "mlflow-artifacts:/1/run/artifacts/model",
            root
        ));
        assert!(!uri_within_root(
            "mlflow-artifacts:/1/run/artifactsX/model",
            root
        ));
        assert!(!uri_within_root(
            "mlflow-artifacts:/1/other/artifacts",
            root
        ));
        assert!(!uri_within_root("s3://1/run/artifacts/model", root));
        assert!(!uri_within_root("s3://b/x", "s3://b"));
    }

    #[test]
    fn model_versions_tag_appends_once_in_python_json() {
        let one = model_versions_tag_value(None, "m", 7);
        assert_eq!(one, r#"[{"name": "m", "version": 7}]"#);
        let two = model_versions_tag_value(Some(&one), "m", 8);
        assert_eq!(
            two,
            r#"[{"name": "m", "version": 7}, {"name": "m", "version": 8}]"#
        );
        assert_eq!(model_versions_tag_value(Some(&two), "m", 8), two);
        assert_eq!(
            model_versions_tag_value(Some("garbage"), "m", 1),
            one.replace('7', "1")
        );
    }

    #[test]
    fn local_detection_and_paths() {
        assert!(SplitUri::parse("/etc/passwd").is_local());
        assert!(SplitUri::parse("file:///etc/passwd").is_local());
        assert!(!SplitUri::parse("file://remote/etc").is_local());
        assert!(!SplitUri::parse("mlflow-artifacts:/1").is_local());
        assert_eq!(
            local_path(&SplitUri::parse("file:///a/b/../c")).as_deref(),
            Some("/a/c")
        );
        assert_eq!(local_path(&SplitUri::parse("rel/path")), None);
    }
}

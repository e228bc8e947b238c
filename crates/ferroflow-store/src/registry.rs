//! Storage of the model registry: registered models, their versions, tags and aliases.

use crate::StoreResult;
use async_trait::async_trait;
use ferroflow_core::registry::{ModelVersion, RegisteredModel, Stage};
use ferroflow_core::search::{
    ModelVersionFilter, ModelVersionOrderKey, OrderBy, RegisteredModelFilter,
    RegisteredModelOrderKey,
};
use ferroflow_core::{Page, Tag};

/// Input of [`RegistryStore::create_registered_model`], already validated.
#[derive(Debug, Clone)]
pub struct NewRegisteredModel {
    pub name: String,
    pub description: Option<String>,
    pub tags: Vec<Tag>,
    pub now: i64,
}

/// Input of [`RegistryStore::create_model_version`]. The service has resolved the source: the
/// store records what it is given and only assigns the version number.
#[derive(Debug, Clone)]
pub struct NewModelVersion {
    pub name: String,
    /// The source as the client gave it (or as the service normalised it).
    pub source: String,
    /// Where the files really are; what GetModelVersionDownloadUri answers.
    pub storage_location: String,
    pub run_id: Option<String>,
    pub run_link: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<Tag>,
    pub model_id: Option<String>,
    pub now: i64,
}

/// A registered-model search, already parsed and validated.
#[derive(Debug, Clone)]
pub struct RegisteredModelQuery {
    pub filter: RegisteredModelFilter,
    /// The complete ordering (the service appends MLflow's tie-breakers).
    pub order_by: Vec<OrderBy<RegisteredModelOrderKey>>,
    /// `false`: hide models tagged `mlflow.prompt.is_prompt = 'true'` and ignore the filter's
    /// clauses on that tag (a model without the tag is an ordinary model).
    pub include_prompts: bool,
    pub max_results: u64,
    pub offset: u64,
}

/// A model-version search, already parsed and validated.
#[derive(Debug, Clone)]
pub struct ModelVersionQuery {
    pub filter: ModelVersionFilter,
    pub order_by: Vec<OrderBy<ModelVersionOrderKey>>,
    /// As in [`RegisteredModelQuery::include_prompts`], judged on the version's own tags.
    pub include_prompts: bool,
    pub max_results: u64,
    pub offset: u64,
}

/// Registered models, their versions, tags and aliases.
///
/// Contract shared by all implementations (checked by [`crate::conformance_registry`]):
/// * every method is atomic, and a write that returned `Ok` is durable;
/// * a missing registered model is `NotFound("Registered Model with name=<name> not found")`,
///   a missing version `NotFound("Model Version (name=<name>, version=<v>) not found")` — the
///   official server's messages, which the service passes through;
/// * returned models carry their tags, aliases and `latest_versions` (the newest version of
///   each stage present, ordered by stage); returned versions carry their tags and aliases;
/// * version numbers start at 1 and increase per registered model; a number is never handed
///   out twice for the same model, even after the version was deleted;
/// * renaming a model carries its versions, tags and aliases along; deleting it deletes them.
#[async_trait]
pub trait RegistryStore: Send + Sync + 'static {
    /// `AlreadyExists("Registered Model (name=<name>) already exists.")` when taken.
    async fn create_registered_model(
        &self,
        new: NewRegisteredModel,
    ) -> StoreResult<RegisteredModel>;
    async fn get_registered_model(&self, name: &str) -> StoreResult<RegisteredModel>;
    /// `AlreadyExists` when `new_name` is taken by another model.
    async fn rename_registered_model(
        &self,
        name: &str,
        new_name: &str,
        now: i64,
    ) -> StoreResult<RegisteredModel>;
    /// Replaces the description (`None` clears it).
    async fn update_registered_model(
        &self,
        name: &str,
        description: Option<String>,
        now: i64,
    ) -> StoreResult<RegisteredModel>;
    async fn delete_registered_model(&self, name: &str) -> StoreResult<()>;
    async fn search_registered_models(
        &self,
        query: RegisteredModelQuery,
    ) -> StoreResult<Page<RegisteredModel>>;
    /// Upsert.
    async fn set_registered_model_tag(&self, name: &str, tag: Tag) -> StoreResult<()>;
    /// A missing tag is not an error (the model must exist).
    async fn delete_registered_model_tag(&self, name: &str, key: &str) -> StoreResult<()>;

    /// Assigns the next version number; the version is `READY` at once.
    async fn create_model_version(&self, new: NewModelVersion) -> StoreResult<ModelVersion>;
    async fn get_model_version(&self, name: &str, version: i64) -> StoreResult<ModelVersion>;
    /// The version's storage location.
    async fn get_model_version_download_uri(&self, name: &str, version: i64)
    -> StoreResult<String>;
    async fn update_model_version(
        &self,
        name: &str,
        version: i64,
        description: Option<String>,
        now: i64,
    ) -> StoreResult<ModelVersion>;
    /// Moves the version to `stage`; with `archive_existing`, every other version of the model
    /// in that stage moves to `Archived` in the same transaction.
    async fn transition_model_version_stage(
        &self,
        name: &str,
        version: i64,
        stage: Stage,
        archive_existing: bool,
        now: i64,
    ) -> StoreResult<ModelVersion>;
    /// Also removes the aliases pointing at the version and bumps the model's update time.
    async fn delete_model_version(&self, name: &str, version: i64, now: i64) -> StoreResult<()>;
    async fn search_model_versions(
        &self,
        query: ModelVersionQuery,
    ) -> StoreResult<Page<ModelVersion>>;
    /// The newest version in each of `stages` (all stages when empty), ordered by stage.
    async fn get_latest_versions(
        &self,
        name: &str,
        stages: Vec<Stage>,
    ) -> StoreResult<Vec<ModelVersion>>;
    async fn set_model_version_tag(&self, name: &str, version: i64, tag: Tag) -> StoreResult<()>;
    /// A missing tag is not an error (the version must exist).
    async fn delete_model_version_tag(
        &self,
        name: &str,
        version: i64,
        key: &str,
    ) -> StoreResult<()>;

    /// Points `alias` at the version (moving it if it pointed elsewhere).
    async fn set_registered_model_alias(
        &self,
        name: &str,
        alias: &str,
        version: i64,
    ) -> StoreResult<()>;
    /// A missing alias is not an error (the model must exist).
    async fn delete_registered_model_alias(&self, name: &str, alias: &str) -> StoreResult<()>;
    /// `Ok(None)` when the model exists but the alias does not.
    async fn get_model_version_by_alias(
        &self,
        name: &str,
        alias: &str,
    ) -> StoreResult<Option<ModelVersion>>;
}

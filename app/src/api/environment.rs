//! The environment (data centers, product groups, database clusters). Everyone signed in reads it; operators
//! and admins change it.

use crate::domain::environment::{
    DataCenter, DataCenterForm, DatabaseCluster, DatabaseClusterForm, ProductGroup,
    ProductGroupForm,
};
use crate::domain::ids::{DataCenterId, DatabaseClusterId, ProductGroupId};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Every data center with its region, by region and name.
#[server(endpoint = "data_centers/list", input = Json, output = Json)]
pub async fn list_data_centers() -> Result<Vec<DataCenter>, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::ListDataCenters).await?;
        let mut conn = actor.services.store.conn().await?;
        crate::store::data_centers::list(&mut conn).await
    })
    .await
}

/// Creates a data center; a new region name creates the region.
#[server(endpoint = "data_centers/create", input = Json, output = Json)]
pub async fn create_data_center(form: DataCenterForm) -> Result<DataCenter, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::CreateDataCenter).await?;
        actor
            .audited(None, async {
                let form = form.validate().map_err(AppError::invalid)?;
                let mut conn = actor.services.store.conn().await?;
                crate::store::data_centers::create(&mut conn, &actor.record(), &form).await
            })
            .await
    })
    .await
}

/// Changes a data center; `version` is the one the change was made from.
#[server(endpoint = "data_centers/update", input = Json, output = Json)]
pub async fn update_data_center(
    id: DataCenterId,
    version: u32,
    form: DataCenterForm,
) -> Result<DataCenter, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::answer(async {
        let actor = require(Action::UpdateDataCenter).await?;
        actor
            .audited(Some(Target::new("data_center", id)), async {
                let form = form.validate().map_err(AppError::invalid)?;
                let mut conn = actor.services.store.conn().await?;
                crate::store::data_centers::update(&mut conn, &actor.record(), id, version, &form)
                    .await
            })
            .await
    })
    .await
}

/// Deletes a data center nothing refers to any more.
#[server(endpoint = "data_centers/delete", input = Json, output = Json)]
pub async fn delete_data_center(id: DataCenterId, version: u32) -> Result<(), AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::answer(async {
        let actor = require(Action::DeleteDataCenter).await?;
        actor
            .audited(Some(Target::new("data_center", id)), async {
                let mut conn = actor.services.store.conn().await?;
                crate::store::data_centers::delete(&mut conn, &actor.record(), id, version).await
            })
            .await
    })
    .await
}

/// Every product group with its applications, by name.
#[server(endpoint = "product_groups/list", input = Json, output = Json)]
pub async fn list_product_groups() -> Result<Vec<ProductGroup>, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::ListProductGroups).await?;
        let mut conn = actor.services.store.conn().await?;
        crate::store::product_groups::list(&mut conn).await
    })
    .await
}

/// Creates a product group with its applications; a dependency cycle is refused and named.
#[server(endpoint = "product_groups/create", input = Json, output = Json)]
pub async fn create_product_group(form: ProductGroupForm) -> Result<ProductGroup, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::CreateProductGroup).await?;
        actor
            .audited(None, async {
                let form = form.validate().map_err(AppError::invalid)?;
                let mut conn = actor.services.store.conn().await?;
                crate::store::product_groups::create(&mut conn, &actor.record(), &form).await
            })
            .await
    })
    .await
}

/// Replaces a product group's name, description and applications.
#[server(endpoint = "product_groups/update", input = Json, output = Json)]
pub async fn update_product_group(
    id: ProductGroupId,
    version: u32,
    form: ProductGroupForm,
) -> Result<ProductGroup, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::answer(async {
        let actor = require(Action::UpdateProductGroup).await?;
        actor
            .audited(Some(Target::new("product_group", id)), async {
                let form = form.validate().map_err(AppError::invalid)?;
                let mut conn = actor.services.store.conn().await?;
                crate::store::product_groups::update(&mut conn, &actor.record(), id, version, &form)
                    .await
            })
            .await
    })
    .await
}

/// Deletes a product group no plan step uses.
#[server(endpoint = "product_groups/delete", input = Json, output = Json)]
pub async fn delete_product_group(id: ProductGroupId, version: u32) -> Result<(), AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::answer(async {
        let actor = require(Action::DeleteProductGroup).await?;
        actor
            .audited(Some(Target::new("product_group", id)), async {
                let mut conn = actor.services.store.conn().await?;
                crate::store::product_groups::delete(&mut conn, &actor.record(), id, version).await
            })
            .await
    })
    .await
}

/// Every database cluster with its members and primary, by name.
#[server(endpoint = "database_clusters/list", input = Json, output = Json)]
pub async fn list_database_clusters() -> Result<Vec<DatabaseCluster>, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::ListDatabaseClusters).await?;
        let mut conn = actor.services.store.conn().await?;
        crate::store::database_clusters::list(&mut conn).await
    })
    .await
}

/// Creates a database cluster.
#[server(endpoint = "database_clusters/create", input = Json, output = Json)]
pub async fn create_database_cluster(
    form: DatabaseClusterForm,
) -> Result<DatabaseCluster, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::CreateDatabaseCluster).await?;
        actor
            .audited(None, async {
                let form = form.validate().map_err(AppError::invalid)?;
                let mut conn = actor.services.store.conn().await?;
                crate::store::database_clusters::create(&mut conn, &actor.record(), &form).await
            })
            .await
    })
    .await
}

/// Replaces a database cluster's name, members and primary.
#[server(endpoint = "database_clusters/update", input = Json, output = Json)]
pub async fn update_database_cluster(
    id: DatabaseClusterId,
    version: u32,
    form: DatabaseClusterForm,
) -> Result<DatabaseCluster, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::answer(async {
        let actor = require(Action::UpdateDatabaseCluster).await?;
        actor
            .audited(Some(Target::new("database_cluster", id)), async {
                let form = form.validate().map_err(AppError::invalid)?;
                let mut conn = actor.services.store.conn().await?;
                crate::store::database_clusters::update(
                    &mut conn,
                    &actor.record(),
                    id,
                    version,
                    &form,
                )
                .await
            })
            .await
    })
    .await
}

/// Deletes a database cluster no plan step uses.
#[server(endpoint = "database_clusters/delete", input = Json, output = Json)]
pub async fn delete_database_cluster(id: DatabaseClusterId, version: u32) -> Result<(), AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::answer(async {
        let actor = require(Action::DeleteDatabaseCluster).await?;
        actor
            .audited(Some(Target::new("database_cluster", id)), async {
                let mut conn = actor.services.store.conn().await?;
                crate::store::database_clusters::delete(&mut conn, &actor.record(), id, version)
                    .await
            })
            .await
    })
    .await
}

/// One data center.
#[server(endpoint = "data_centers/get", input = Json, output = Json)]
pub async fn get_data_center(id: DataCenterId) -> Result<DataCenter, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::GetDataCenter).await?;
        let mut conn = actor.services.store.conn().await?;
        crate::store::data_centers::get(&mut conn, id.0).await
    })
    .await
}

/// One product group with its applications.
#[server(endpoint = "product_groups/get", input = Json, output = Json)]
pub async fn get_product_group(id: ProductGroupId) -> Result<ProductGroup, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::GetProductGroup).await?;
        let mut conn = actor.services.store.conn().await?;
        crate::store::product_groups::get(&mut conn, id.0).await
    })
    .await
}

/// One database cluster.
#[server(endpoint = "database_clusters/get", input = Json, output = Json)]
pub async fn get_database_cluster(id: DatabaseClusterId) -> Result<DatabaseCluster, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::GetDatabaseCluster).await?;
        let mut conn = actor.services.store.conn().await?;
        crate::store::database_clusters::get(&mut conn, id.0).await
    })
    .await
}

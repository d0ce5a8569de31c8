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
    use crate::domain::role::Action;
    super::server_side::run(Action::ListDataCenters, None, async |actor| {
        Ok(crate::store::data_centers::list(&actor.auth.store).await?)
    })
    .await
}

/// Creates a data center; a new region name creates the region.
#[server(endpoint = "data_centers/create", input = Json, output = Json)]
pub async fn create_data_center(form: DataCenterForm) -> Result<DataCenter, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::CreateDataCenter, None, async |actor| {
        let form = form.validate().map_err(AppError::invalid)?;
        Ok(crate::store::data_centers::create(&actor.auth.store, &actor.record(), &form).await?)
    })
    .await
}

/// Changes a data center; `version` is the one the change was made from.
#[server(endpoint = "data_centers/update", input = Json, output = Json)]
pub async fn update_data_center(
    id: DataCenterId,
    revision: u32,
    form: DataCenterForm,
) -> Result<DataCenter, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::UpdateDataCenter,
        Some(Target::new("data_center", id)),
        async |actor| {
            let form = form.validate().map_err(AppError::invalid)?;
            Ok(crate::store::data_centers::update(
                &actor.auth.store,
                &actor.record(),
                id,
                revision,
                &form,
            )
            .await?)
        },
    )
    .await
}

/// Deletes a data center nothing refers to any more.
#[server(endpoint = "data_centers/delete", input = Json, output = Json)]
pub async fn delete_data_center(id: DataCenterId, revision: u32) -> Result<(), AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::DeleteDataCenter,
        Some(Target::new("data_center", id)),
        async |actor| {
            Ok(
                crate::store::data_centers::delete(
                    &actor.auth.store,
                    &actor.record(),
                    id,
                    revision,
                )
                .await?,
            )
        },
    )
    .await
}

/// Every product group with its applications, by name.
#[server(endpoint = "product_groups/list", input = Json, output = Json)]
pub async fn list_product_groups() -> Result<Vec<ProductGroup>, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ListProductGroups, None, async |actor| {
        Ok(crate::store::product_groups::list(&actor.auth.store).await?)
    })
    .await
}

/// Creates a product group with its applications; a dependency cycle is refused and named.
#[server(endpoint = "product_groups/create", input = Json, output = Json)]
pub async fn create_product_group(form: ProductGroupForm) -> Result<ProductGroup, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::CreateProductGroup, None, async |actor| {
        let form = form.validate().map_err(AppError::invalid)?;
        Ok(crate::store::product_groups::create(&actor.auth.store, &actor.record(), &form).await?)
    })
    .await
}

/// Replaces a product group's name, description and applications.
#[server(endpoint = "product_groups/update", input = Json, output = Json)]
pub async fn update_product_group(
    id: ProductGroupId,
    revision: u32,
    form: ProductGroupForm,
) -> Result<ProductGroup, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::UpdateProductGroup,
        Some(Target::new("product_group", id)),
        async |actor| {
            let form = form.validate().map_err(AppError::invalid)?;
            Ok(crate::store::product_groups::update(
                &actor.auth.store,
                &actor.record(),
                id,
                revision,
                &form,
            )
            .await?)
        },
    )
    .await
}

/// Deletes a product group no plan step uses.
#[server(endpoint = "product_groups/delete", input = Json, output = Json)]
pub async fn delete_product_group(id: ProductGroupId, revision: u32) -> Result<(), AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::DeleteProductGroup,
        Some(Target::new("product_group", id)),
        async |actor| {
            Ok(crate::store::product_groups::delete(
                &actor.auth.store,
                &actor.record(),
                id,
                revision,
            )
            .await?)
        },
    )
    .await
}

/// Every database cluster with its members and primary, by name.
#[server(endpoint = "database_clusters/list", input = Json, output = Json)]
pub async fn list_database_clusters() -> Result<Vec<DatabaseCluster>, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ListDatabaseClusters, None, async |actor| {
        Ok(crate::store::database_clusters::list(&actor.auth.store).await?)
    })
    .await
}

/// Creates a database cluster.
#[server(endpoint = "database_clusters/create", input = Json, output = Json)]
pub async fn create_database_cluster(
    form: DatabaseClusterForm,
) -> Result<DatabaseCluster, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::CreateDatabaseCluster, None, async |actor| {
        let form = form.validate().map_err(AppError::invalid)?;
        Ok(
            crate::store::database_clusters::create(&actor.auth.store, &actor.record(), &form)
                .await?,
        )
    })
    .await
}

/// Replaces a database cluster's name, members and primary.
#[server(endpoint = "database_clusters/update", input = Json, output = Json)]
pub async fn update_database_cluster(
    id: DatabaseClusterId,
    revision: u32,
    form: DatabaseClusterForm,
) -> Result<DatabaseCluster, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::UpdateDatabaseCluster,
        Some(Target::new("database_cluster", id)),
        async |actor| {
            let form = form.validate().map_err(AppError::invalid)?;
            Ok(crate::store::database_clusters::update(
                &actor.auth.store,
                &actor.record(),
                id,
                revision,
                &form,
            )
            .await?)
        },
    )
    .await
}

/// Deletes a database cluster no plan step uses.
#[server(endpoint = "database_clusters/delete", input = Json, output = Json)]
pub async fn delete_database_cluster(id: DatabaseClusterId, revision: u32) -> Result<(), AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::DeleteDatabaseCluster,
        Some(Target::new("database_cluster", id)),
        async |actor| {
            Ok(crate::store::database_clusters::delete(
                &actor.auth.store,
                &actor.record(),
                id,
                revision,
            )
            .await?)
        },
    )
    .await
}

/// One data center.
#[server(endpoint = "data_centers/get", input = Json, output = Json)]
pub async fn get_data_center(id: DataCenterId) -> Result<DataCenter, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::GetDataCenter, None, async |actor| {
        Ok(crate::store::data_centers::get(&actor.auth.store, id).await?)
    })
    .await
}

/// One product group with its applications.
#[server(endpoint = "product_groups/get", input = Json, output = Json)]
pub async fn get_product_group(id: ProductGroupId) -> Result<ProductGroup, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::GetProductGroup, None, async |actor| {
        Ok(crate::store::product_groups::get(&actor.auth.store, id).await?)
    })
    .await
}

/// One database cluster.
#[server(endpoint = "database_clusters/get", input = Json, output = Json)]
pub async fn get_database_cluster(id: DatabaseClusterId) -> Result<DatabaseCluster, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::GetDatabaseCluster, None, async |actor| {
        Ok(crate::store::database_clusters::get(&actor.auth.store, id).await?)
    })
    .await
}

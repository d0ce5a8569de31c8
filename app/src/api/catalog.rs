//! The step catalog (步骤信息): every step type the engine can run.

use crate::domain::step::StepType;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Every step type with its parameters, in catalog order.
#[server(endpoint = "steps/list", input = Json, output = Json)]
pub async fn list_step_types() -> Result<Vec<StepType>, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ListStepTypes, None, async |actor| {
        Ok(crate::store::catalog::list(&actor.auth.store).await?)
    })
    .await
}

//! Roles, capabilities and the one table of which action needs which capability.
//! The server enforces it; the browser reads the same table to hide what would be refused.

use serde::{Deserialize, Serialize};

/// What a person is in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, plus users and the run mode.
    Admin,
    /// Authors plans, manages the environment, drives executions.
    Operator,
    /// A product owner: reads everything, reviews and approves plans.
    Reviewer,
    /// Reads plans, executions and the audit log; changes nothing, never sees secrets.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Operator, Role::Reviewer, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Operator => "operator",
            Self::Reviewer => "reviewer",
            Self::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "Admin",
            Self::Operator => "Operator",
            Self::Reviewer => "Reviewer",
            Self::Auditor => "Auditor",
        }
    }

    /// Whether this role may use `capability`.
    pub fn can(self, capability: Capability) -> bool {
        capability.roles().contains(&self)
    }

    /// Whether this role sees the usernames of connection configs. Auditors do not: they
    /// watch, and a username is half a credential.
    pub fn sees_config_usernames(self) -> bool {
        self != Role::Auditor
    }
}

/// A kind of permission; each server function needs exactly one (or none, if public).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Any signed-in person: read plans, executions, the environment, one's own account.
    Read,
    /// Author plans, manage the environment, create and drive executions.
    Operate,
    /// Review plan drafts: approve or reject them.
    Review,
    /// Manage users and the run mode.
    Administer,
    /// Read the audit log.
    ReadAudit,
}

impl Capability {
    /// The roles that hold this capability.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Self::Read => &Role::ALL,
            Self::Operate => &[Role::Admin, Role::Operator],
            Self::Review => &[Role::Admin, Role::Reviewer],
            Self::Administer => &[Role::Admin],
            Self::ReadAudit => &[Role::Admin, Role::Auditor],
        }
    }

    /// The sentence a refused caller reads.
    pub fn refusal(self) -> String {
        let names: Vec<&str> = self.roles().iter().map(|r| r.as_str()).collect();
        let who = match names.as_slice() {
            [one] => format!("the {one} role"),
            [rest @ .., last] => format!("one of the roles {} or {last}", rest.join(", ")),
            [] => "a role nobody has".to_owned(),
        };
        format!("this needs {who}")
    }
}

/// Who may call a server function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (signing in, asking who one is).
    Public,
    /// A signed-in person whose role has the capability.
    Requires(Capability),
}

/// Every server function of the console: its endpoint under `/api`, who may call it, and
/// whether it changes anything (changes are written to the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ListStepTypes,
    SignIn,
    SignOut,
    CurrentUser,
    ChangeOwnPassword,
    ListUsers,
    CreateUser,
    SetUserRole,
    SetUserEnabled,
    ResetUserPassword,
    ListAuditEntries,
    ListDataCenters,
    CreateDataCenter,
    UpdateDataCenter,
    DeleteDataCenter,
    ListProductGroups,
    CreateProductGroup,
    UpdateProductGroup,
    DeleteProductGroup,
    ListDatabaseClusters,
    CreateDatabaseCluster,
    UpdateDatabaseCluster,
    DeleteDatabaseCluster,
    ListConnectionConfigs,
    CreateConnectionConfig,
    UpdateConnectionConfig,
    DeleteConnectionConfig,
    TestConnectionConfig,
    GetDataCenter,
    GetProductGroup,
    GetDatabaseCluster,
    GetConnectionConfig,
    ListPlans,
    GetPlan,
    ListPlanVersions,
    DiffPlan,
    ExportPlan,
    CreatePlan,
    UpdatePlan,
    SubmitPlan,
    ClonePlan,
    DeletePlan,
    ImportPlan,
    ApprovePlan,
    RejectPlan,
    DeactivatePlan,
}

impl Action {
    pub const ALL: [Action; 46] = [
        Action::ListStepTypes,
        Action::SignIn,
        Action::SignOut,
        Action::CurrentUser,
        Action::ChangeOwnPassword,
        Action::ListUsers,
        Action::CreateUser,
        Action::SetUserRole,
        Action::SetUserEnabled,
        Action::ResetUserPassword,
        Action::ListAuditEntries,
        Action::ListDataCenters,
        Action::CreateDataCenter,
        Action::UpdateDataCenter,
        Action::DeleteDataCenter,
        Action::ListProductGroups,
        Action::CreateProductGroup,
        Action::UpdateProductGroup,
        Action::DeleteProductGroup,
        Action::ListDatabaseClusters,
        Action::CreateDatabaseCluster,
        Action::UpdateDatabaseCluster,
        Action::DeleteDatabaseCluster,
        Action::ListConnectionConfigs,
        Action::CreateConnectionConfig,
        Action::UpdateConnectionConfig,
        Action::DeleteConnectionConfig,
        Action::TestConnectionConfig,
        Action::GetDataCenter,
        Action::GetProductGroup,
        Action::GetDatabaseCluster,
        Action::GetConnectionConfig,
        Action::ListPlans,
        Action::GetPlan,
        Action::ListPlanVersions,
        Action::DiffPlan,
        Action::ExportPlan,
        Action::CreatePlan,
        Action::UpdatePlan,
        Action::SubmitPlan,
        Action::ClonePlan,
        Action::DeletePlan,
        Action::ImportPlan,
        Action::ApprovePlan,
        Action::RejectPlan,
        Action::DeactivatePlan,
    ];

    /// The endpoint, as in `POST /api/<endpoint>`; also the action name in the audit log.
    pub fn endpoint(self) -> &'static str {
        match self {
            Self::ListStepTypes => "steps/list",
            Self::SignIn => "auth/sign_in",
            Self::SignOut => "auth/sign_out",
            Self::CurrentUser => "auth/me",
            Self::ChangeOwnPassword => "auth/change_password",
            Self::ListUsers => "users/list",
            Self::CreateUser => "users/create",
            Self::SetUserRole => "users/set_role",
            Self::SetUserEnabled => "users/set_enabled",
            Self::ResetUserPassword => "users/reset_password",
            Self::ListAuditEntries => "audit/list",
            Self::ListDataCenters => "data_centers/list",
            Self::CreateDataCenter => "data_centers/create",
            Self::UpdateDataCenter => "data_centers/update",
            Self::DeleteDataCenter => "data_centers/delete",
            Self::ListProductGroups => "product_groups/list",
            Self::CreateProductGroup => "product_groups/create",
            Self::UpdateProductGroup => "product_groups/update",
            Self::DeleteProductGroup => "product_groups/delete",
            Self::ListDatabaseClusters => "database_clusters/list",
            Self::CreateDatabaseCluster => "database_clusters/create",
            Self::UpdateDatabaseCluster => "database_clusters/update",
            Self::DeleteDatabaseCluster => "database_clusters/delete",
            Self::ListConnectionConfigs => "connection_configs/list",
            Self::CreateConnectionConfig => "connection_configs/create",
            Self::UpdateConnectionConfig => "connection_configs/update",
            Self::DeleteConnectionConfig => "connection_configs/delete",
            Self::TestConnectionConfig => "connection_configs/test",
            Self::GetDataCenter => "data_centers/get",
            Self::GetProductGroup => "product_groups/get",
            Self::GetDatabaseCluster => "database_clusters/get",
            Self::GetConnectionConfig => "connection_configs/get",
            Self::ListPlans => "plans/list",
            Self::GetPlan => "plans/get",
            Self::ListPlanVersions => "plans/versions",
            Self::DiffPlan => "plans/diff",
            Self::ExportPlan => "plans/export",
            Self::CreatePlan => "plans/create",
            Self::UpdatePlan => "plans/update",
            Self::SubmitPlan => "plans/submit",
            Self::ClonePlan => "plans/clone",
            Self::DeletePlan => "plans/delete",
            Self::ImportPlan => "plans/import",
            Self::ApprovePlan => "plans/approve",
            Self::RejectPlan => "plans/reject",
            Self::DeactivatePlan => "plans/deactivate",
        }
    }

    pub fn access(self) -> Access {
        use Capability::*;
        match self {
            Self::SignIn => Access::Public,
            Self::SignOut | Self::CurrentUser | Self::ListStepTypes | Self::ChangeOwnPassword => {
                Access::Requires(Read)
            }
            Self::ListUsers
            | Self::CreateUser
            | Self::SetUserRole
            | Self::SetUserEnabled
            | Self::ResetUserPassword => Access::Requires(Administer),
            Self::ListAuditEntries => Access::Requires(ReadAudit),
            Self::ListDataCenters
            | Self::ListProductGroups
            | Self::ListDatabaseClusters
            | Self::ListConnectionConfigs
            | Self::GetDataCenter
            | Self::GetProductGroup
            | Self::GetDatabaseCluster
            | Self::GetConnectionConfig
            | Self::ListPlans
            | Self::GetPlan
            | Self::ListPlanVersions
            | Self::DiffPlan
            | Self::ExportPlan => Access::Requires(Read),
            Self::CreateDataCenter
            | Self::UpdateDataCenter
            | Self::DeleteDataCenter
            | Self::CreateProductGroup
            | Self::UpdateProductGroup
            | Self::DeleteProductGroup
            | Self::CreateDatabaseCluster
            | Self::UpdateDatabaseCluster
            | Self::DeleteDatabaseCluster
            | Self::CreateConnectionConfig
            | Self::UpdateConnectionConfig
            | Self::DeleteConnectionConfig
            | Self::TestConnectionConfig
            | Self::CreatePlan
            | Self::UpdatePlan
            | Self::SubmitPlan
            | Self::ClonePlan
            | Self::DeletePlan
            | Self::ImportPlan => Access::Requires(Operate),
            Self::ApprovePlan | Self::RejectPlan | Self::DeactivatePlan => Access::Requires(Review),
        }
    }

    pub fn changes_state(self) -> bool {
        !matches!(
            self,
            Self::ListStepTypes
                | Self::CurrentUser
                | Self::ListUsers
                | Self::ListAuditEntries
                | Self::ListDataCenters
                | Self::ListProductGroups
                | Self::ListDatabaseClusters
                | Self::ListConnectionConfigs
                | Self::GetDataCenter
                | Self::GetProductGroup
                | Self::GetDatabaseCluster
                | Self::GetConnectionConfig
                | Self::ListPlans
                | Self::GetPlan
                | Self::ListPlanVersions
                | Self::DiffPlan
                | Self::ExportPlan
        )
    }

    /// Whether someone holding a one-time password may call this: nothing but choosing a
    /// new password, seeing who they are, and signing out.
    pub fn allowed_with_one_time_password(self) -> bool {
        matches!(
            self,
            Self::ChangeOwnPassword | Self::CurrentUser | Self::SignOut
        )
    }

    /// Whether `role` may call this (the browser uses it to hide what would be refused).
    pub fn allowed_for(self, role: Role) -> bool {
        match self.access() {
            Access::Public => true,
            Access::Requires(capability) => role.can(capability),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_admins_administer_and_auditors_change_nothing() {
        assert!(Role::Admin.can(Capability::Administer));
        assert!(!Role::Operator.can(Capability::Administer));
        for action in Action::ALL.into_iter().filter(|a| a.changes_state()) {
            let public = action.access() == Access::Public;
            let own_account = matches!(action, Action::ChangeOwnPassword | Action::SignOut);
            assert!(
                public || own_account || !action.allowed_for(Role::Auditor),
                "{action:?}"
            );
        }
    }

    #[test]
    fn refusals_name_the_roles_needed() {
        assert_eq!(
            Capability::Administer.refusal(),
            "this needs the admin role"
        );
        assert_eq!(
            Capability::Operate.refusal(),
            "this needs one of the roles admin or operator"
        );
    }

    #[test]
    fn endpoints_are_unique() {
        let endpoints: HashSet<&str> = Action::ALL.iter().map(|a| a.endpoint()).collect();
        assert_eq!(endpoints.len(), Action::ALL.len());
    }
}

//! Roles, capabilities and the one table of which action needs which capability.
//! The server enforces it; the browser reads the same table to hide what would be refused.

use super::choice::choice;
use serde::{Deserialize, Serialize};

choice! {
    /// What a person is in the console.
    Role {
        /// Everything, plus users and the run mode.
        Admin = "admin", "Admin";
        /// Authors plans, manages the environment, drives executions.
        Operator = "operator", "Operator";
        /// A product owner: reads everything, reviews and approves plans.
        Reviewer = "reviewer", "Reviewer";
        /// Reads plans, executions and the audit log; changes nothing, never sees secrets.
        Auditor = "auditor", "Auditor";
    }
}

impl Role {
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
    /// Add comments to executions: those who run them and those who watch them.
    Comment,
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
            Self::Comment => &[Role::Admin, Role::Operator, Role::Auditor],
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

/// Whether an action changes anything (changes are written to the audit log and must come
/// from our own pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Reads,
    Writes,
}

/// Declares every action in one line each: `Name: "endpoint", who may call it, effect;`.
macro_rules! actions {
    ($($action:ident: $endpoint:literal, $access:ident, $effect:ident;)*) => {
        /// Every server function of the console: its endpoint under `/api`, who may call
        /// it, and whether it changes anything.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $($action),* }

        impl Action {
            pub const ALL: [Action; [$($endpoint),*].len()] = [$(Action::$action),*];

            /// The action at `endpoint` (as in `POST /api/<endpoint>`), if there is one.
            pub fn at(endpoint: &str) -> Option<Action> {
                Self::ALL.into_iter().find(|action| action.endpoint() == endpoint)
            }

            /// The endpoint, as in `POST /api/<endpoint>`; also the action name in the
            /// audit log.
            pub fn endpoint(self) -> &'static str {
                match self { $(Self::$action => $endpoint),* }
            }

            /// Who may call it.
            pub fn access(self) -> Access {
                match self { $(Self::$action => access!($access)),* }
            }

            pub fn effect(self) -> Effect {
                match self { $(Self::$action => Effect::$effect),* }
            }
        }
    };
}

macro_rules! access {
    (Public) => {
        Access::Public
    };
    ($capability:ident) => {
        Access::Requires(Capability::$capability)
    };
}

actions! {
    ListStepTypes: "steps/list", Read, Reads;
    SignIn: "auth/sign_in", Public, Writes;
    SignOut: "auth/sign_out", Read, Writes;
    CurrentUser: "auth/me", Read, Reads;
    ChangeOwnPassword: "auth/change_password", Read, Writes;
    SetOwnPreferences: "auth/preferences", Read, Writes;
    ListUsers: "users/list", Administer, Reads;
    CreateUser: "users/create", Administer, Writes;
    SetUserRole: "users/set_role", Administer, Writes;
    SetUserEnabled: "users/set_enabled", Administer, Writes;
    ResetUserPassword: "users/reset_password", Administer, Writes;
    ListAuditEntries: "audit/list", ReadAudit, Reads;
    GetRunMode: "run_mode/get", Read, Reads;
    ThisInstance: "cluster/here", Read, Reads;
    ListInstances: "cluster/list", Read, Reads;
    SwitchRunMode: "run_mode/switch", Administer, Writes;
    ListDataCenters: "data_centers/list", Read, Reads;
    CreateDataCenter: "data_centers/create", Operate, Writes;
    UpdateDataCenter: "data_centers/update", Operate, Writes;
    DeleteDataCenter: "data_centers/delete", Operate, Writes;
    ListProductGroups: "product_groups/list", Read, Reads;
    CreateProductGroup: "product_groups/create", Operate, Writes;
    UpdateProductGroup: "product_groups/update", Operate, Writes;
    DeleteProductGroup: "product_groups/delete", Operate, Writes;
    ListDatabaseClusters: "database_clusters/list", Read, Reads;
    CreateDatabaseCluster: "database_clusters/create", Operate, Writes;
    UpdateDatabaseCluster: "database_clusters/update", Operate, Writes;
    DeleteDatabaseCluster: "database_clusters/delete", Operate, Writes;
    ListConnectionConfigs: "connection_configs/list", Read, Reads;
    CreateConnectionConfig: "connection_configs/create", Operate, Writes;
    UpdateConnectionConfig: "connection_configs/update", Operate, Writes;
    DeleteConnectionConfig: "connection_configs/delete", Operate, Writes;
    TestConnectionConfig: "connection_configs/test", Operate, Writes;
    GetDataCenter: "data_centers/get", Read, Reads;
    GetProductGroup: "product_groups/get", Read, Reads;
    GetDatabaseCluster: "database_clusters/get", Read, Reads;
    GetConnectionConfig: "connection_configs/get", Read, Reads;
    ListPlans: "plans/list", Read, Reads;
    GetPlan: "plans/get", Read, Reads;
    ListPlanVersions: "plans/versions", Read, Reads;
    DiffPlan: "plans/diff", Read, Reads;
    ExportPlan: "plans/export", Read, Reads;
    PlanReadiness: "plans/readiness", Read, Reads;
    EvaluatePlan: "plans/evaluate", Operate, Writes;
    CreatePlan: "plans/create", Operate, Writes;
    UpdatePlan: "plans/update", Operate, Writes;
    SubmitPlan: "plans/submit", Operate, Writes;
    ClonePlan: "plans/clone", Operate, Writes;
    DeletePlan: "plans/delete", Operate, Writes;
    ImportPlan: "plans/import", Operate, Writes;
    ApprovePlan: "plans/approve", Review, Writes;
    RejectPlan: "plans/reject", Review, Writes;
    DeactivatePlan: "plans/deactivate", Review, Writes;
    SimulatorState: "simulator/state", Read, Reads;
    InjectFault: "simulator/inject_fault", Operate, Writes;
    ClearFault: "simulator/clear_fault", Operate, Writes;
    ClearFaults: "simulator/clear_faults", Operate, Writes;
    ResetSimulator: "simulator/reset", Operate, Writes;
    SetSimulatorTiming: "simulator/set_timing", Operate, Writes;
    ListExecutions: "executions/list", Read, Reads;
    ExportExecutions: "executions/export", Read, Reads;
    GetExecution: "executions/get", Read, Reads;
    GetStepRecord: "executions/step_record", Read, Reads;
    GetExecutionReport: "executions/report", Read, Reads;
    ExportExecutionReport: "executions/report_csv", Read, Reads;
    CommentExecution: "executions/comment", Comment, Writes;
    PreCheckExecution: "executions/pre_check", Operate, Reads;
    CreateExecution: "executions/create", Operate, Writes;
    StartExecution: "executions/start", Operate, Writes;
    PauseExecution: "executions/pause", Operate, Writes;
    ResumeExecution: "executions/resume", Operate, Writes;
    CancelExecution: "executions/cancel", Operate, Writes;
    RetryStep: "executions/retry_step", Operate, Writes;
    SkipStep: "executions/skip_step", Operate, Writes;
    MarkStepDone: "executions/mark_step_done", Operate, Writes;
    AbandonStep: "executions/abandon_step", Operate, Writes;
    ConfirmStep: "executions/confirm_step", Operate, Writes;
    ListWebhooks: "webhooks/list", Administer, Reads;
    CreateWebhook: "webhooks/create", Administer, Writes;
    UpdateWebhook: "webhooks/update", Administer, Writes;
    DeleteWebhook: "webhooks/delete", Administer, Writes;
    PingWebhook: "webhooks/ping", Administer, Writes;
    ListWebhookDeliveries: "webhooks/deliveries", Administer, Reads;
}

impl Action {
    /// Whether it changes anything.
    pub fn changes_state(self) -> bool {
        self.effect() == Effect::Writes
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
            let own_account = matches!(
                action,
                Action::ChangeOwnPassword | Action::SetOwnPreferences | Action::SignOut
            );
            // An auditor's comment annotates a run and changes nothing of it.
            let annotation = action == Action::CommentExecution;
            assert!(
                public || own_account || annotation || !action.allowed_for(Role::Auditor),
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

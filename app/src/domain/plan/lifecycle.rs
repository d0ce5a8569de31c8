//! A plan's life — edit, submit, approve with four eyes, reject, deactivate — as one pure
//! function. The store applies the decision it returns; the pages ask it which commands
//! to offer. Neither decides on its own.

use super::{PlanDetail, PlanStatus, VersionState};

/// What the lifecycle needs to know about a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFacts {
    pub name: String,
    pub status: PlanStatus,
    /// Whether a version is active (runs).
    pub active: bool,
    /// The working version (not yet approved): its number and state.
    pub working: Option<(u32, VersionState)>,
}

/// What someone asks of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanCommand {
    /// Save new content.
    Edit,
    Submit,
    /// `caller_edited`: the caller edited the version in review (four eyes forbid).
    Approve {
        caller_edited: bool,
    },
    Reject,
    Deactivate,
}

/// What happens to the plan's versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionChange {
    /// The working version takes the new content and is a draft again.
    ReviseWorking,
    /// A new draft version with the new content; the active one runs until it is approved.
    NewDraft,
    /// The working version goes into review.
    SubmitWorking,
    /// A copy of the newest version goes into review (a plan taken out of service).
    SubmitCopyOfNewest,
    /// The version in review becomes the active one, immutable from now on.
    ApproveWorking,
    /// The version in review goes back to draft.
    RejectWorking,
    /// The active version stops being active.
    Deactivate,
}

/// The lifecycle's answer: what to do to the versions, and the plan's status after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub change: VersionChange,
    pub status: PlanStatus,
}

/// Why a command cannot be carried out now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The plan is not in a state that allows it.
    Conflict(String),
    /// The caller may not, whatever the plan's state (four eyes).
    Forbidden(String),
}

impl PlanFacts {
    /// The facts a page has: the plan as the server sent it.
    pub fn of(detail: &PlanDetail) -> Self {
        Self {
            name: detail.plan.name.clone(),
            status: detail.plan.status,
            active: detail.active_version.is_some(),
            working: detail.working().map(|w| (w.number, w.state)),
        }
    }

    /// The status once the working version is in `working`.
    fn status_with(&self, working: VersionState) -> PlanStatus {
        PlanStatus::of(
            self.active,
            self.status == PlanStatus::Inactive,
            Some(working),
        )
    }

    /// Whether `command` would be carried out now (what a page offers).
    pub fn allows(&self, command: PlanCommand) -> bool {
        decide(self, command).is_ok()
    }
}

/// The one rule for what `command` does to a plan described by `facts`.
pub fn decide(facts: &PlanFacts, command: PlanCommand) -> Result<Decision, Refusal> {
    use PlanCommand::*;
    use VersionState::{Draft, InReview};
    let name = &facts.name;
    let conflict = |message: String| Err(Refusal::Conflict(message));
    let decision = |change, status| Ok(Decision { change, status });
    match (command, facts.working) {
        (Edit, Some(_)) => decision(VersionChange::ReviseWorking, facts.status_with(Draft)),
        (Edit, None) => decision(VersionChange::NewDraft, facts.status_with(Draft)),

        (Submit, Some((number, InReview))) => {
            conflict(format!("version {number} of {name} is already in review"))
        }
        (Submit, Some(_)) => decision(VersionChange::SubmitWorking, facts.status_with(InReview)),
        (Submit, None) if facts.active => conflict(format!(
            "{name} has no changes to review: its newest version is already active"
        )),
        (Submit, None) => decision(
            VersionChange::SubmitCopyOfNewest,
            facts.status_with(InReview),
        ),

        (Approve { caller_edited }, Some((number, InReview))) => {
            if caller_edited {
                Err(Refusal::Forbidden(format!(
                    "you edited version {number} of {name} yourself; another reviewer must \
                     approve it (four eyes)"
                )))
            } else {
                decision(VersionChange::ApproveWorking, PlanStatus::Active)
            }
        }
        (Reject, Some((_, InReview))) => {
            decision(VersionChange::RejectWorking, facts.status_with(Draft))
        }
        (Approve { .. } | Reject, _) => {
            conflict(format!("{name} has no version waiting for review"))
        }

        (Deactivate, _) if facts.active => {
            decision(VersionChange::Deactivate, PlanStatus::Inactive)
        }
        (Deactivate, _) => conflict(format!("{name} is not active")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlanCommand::*;
    use PlanStatus as S;
    use VersionState::{Draft, InReview};

    fn facts(status: PlanStatus, active: bool, working: Option<VersionState>) -> PlanFacts {
        PlanFacts {
            name: "Power loss".to_owned(),
            status,
            active,
            working: working.map(|state| (2, state)),
        }
    }

    fn allowed(facts: &PlanFacts, command: PlanCommand) -> (VersionChange, PlanStatus) {
        let decision = decide(facts, command).unwrap();
        (decision.change, decision.status)
    }

    fn refused(facts: &PlanFacts, command: PlanCommand) -> String {
        match decide(facts, command) {
            Err(Refusal::Conflict(message) | Refusal::Forbidden(message)) => message,
            Ok(decision) => panic!("{command:?} was allowed: {decision:?}"),
        }
    }

    #[test]
    fn a_new_plan_is_drafted_submitted_and_approved() {
        let draft = facts(S::Draft, false, Some(Draft));
        assert_eq!(
            allowed(&draft, Edit),
            (VersionChange::ReviseWorking, S::Draft)
        );
        assert_eq!(
            allowed(&draft, Submit),
            (VersionChange::SubmitWorking, S::InReview)
        );
        assert_eq!(
            refused(&draft, Reject),
            "Power loss has no version waiting for review"
        );
        assert_eq!(refused(&draft, Deactivate), "Power loss is not active");

        let in_review = facts(S::InReview, false, Some(InReview));
        assert_eq!(
            refused(&in_review, Submit),
            "version 2 of Power loss is already in review"
        );
        assert_eq!(
            allowed(
                &in_review,
                Approve {
                    caller_edited: false
                }
            ),
            (VersionChange::ApproveWorking, S::Active)
        );
        assert_eq!(
            allowed(&in_review, Reject),
            (VersionChange::RejectWorking, S::Draft)
        );
        // Editing a version in review takes it back to draft.
        assert_eq!(
            allowed(&in_review, Edit),
            (VersionChange::ReviseWorking, S::Draft)
        );
    }

    #[test]
    fn four_eyes_forbid_approving_what_one_edited() {
        let in_review = facts(S::InReview, false, Some(InReview));
        assert!(matches!(
            decide(&in_review, Approve { caller_edited: true }),
            Err(Refusal::Forbidden(message)) if message.contains("four eyes")
        ));
    }

    #[test]
    fn an_active_plan_keeps_running_while_its_next_version_is_written() {
        let active = facts(S::Active, true, None);
        assert_eq!(allowed(&active, Edit), (VersionChange::NewDraft, S::Active));
        assert_eq!(
            refused(&active, Submit),
            "Power loss has no changes to review: its newest version is already active"
        );
        assert_eq!(
            refused(
                &active,
                Approve {
                    caller_edited: false
                }
            ),
            "Power loss has no version waiting for review"
        );
        assert_eq!(
            allowed(&active, Deactivate),
            (VersionChange::Deactivate, S::Inactive)
        );

        let next_in_review = facts(S::Active, true, Some(InReview));
        assert_eq!(
            allowed(
                &next_in_review,
                Approve {
                    caller_edited: false
                }
            ),
            (VersionChange::ApproveWorking, S::Active)
        );
        assert_eq!(
            allowed(&next_in_review, Reject),
            (VersionChange::RejectWorking, S::Active)
        );
    }

    #[test]
    fn a_deactivated_plan_goes_back_through_review() {
        let inactive = facts(S::Inactive, false, None);
        assert_eq!(
            allowed(&inactive, Submit),
            (VersionChange::SubmitCopyOfNewest, S::Inactive)
        );
        assert_eq!(
            allowed(&inactive, Edit),
            (VersionChange::NewDraft, S::Inactive)
        );
        assert_eq!(refused(&inactive, Deactivate), "Power loss is not active");
        let resubmitted = facts(S::Inactive, false, Some(InReview));
        assert_eq!(
            allowed(
                &resubmitted,
                Approve {
                    caller_edited: false
                }
            ),
            (VersionChange::ApproveWorking, S::Active)
        );
    }
}

//! DR plans through their server functions: the lifecycle with review and four eyes,
//! versions, conflicts, clone, delete, the review diff, and export/import.

use crate::support::test_app::TestApp;
use app::domain::plan::diff::{PlanDiff, StepChange};
use app::domain::plan::{PlanDetail, PlanStatus, PlanSummary, VersionState};
use app::domain::role::Role;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

fn step(key: &str, opcode: &str, params: Value) -> Value {
    json!({ "key": key, "opcode": opcode, "title": "", "params": params })
}

/// A plan that fits the demo estate: three switchover steps, one recovery step.
fn content(name: &str) -> Value {
    json!({
        "name": name,
        "description": "When Shanghai-A goes dark",
        "rto_minutes": 20,
        "switchover": [
            step("cut", "traffic.cut", json!({ "product_group": "Payments", "drain_seconds": 30 })),
            step("db", "db.switchover", json!({ "cluster": "payments-db" })),
            step("ok", "manual.confirm", json!({ "instruction": "Check the payment dashboards." })),
        ],
        "recovery": [
            step("back", "db.switchback", json!({ "cluster": "payments-db" })),
        ],
    })
}

fn detail(answer: Value) -> PlanDetail {
    serde_json::from_value(answer.clone()).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

struct Plans {
    app: TestApp,
    operator: Client,
    reviewer: Client,
}

impl Plans {
    async fn new() -> Self {
        let app = TestApp::spawn_with_demo().await;
        let operator = app.as_role(Role::Operator).await;
        let reviewer = app.as_role(Role::Reviewer).await;
        Self {
            app,
            operator,
            reviewer,
        }
    }

    async fn ok(&self, client: &Client, endpoint: &str, body: Value) -> Value {
        let (status, answer) = self.app.call(client, endpoint, body).await;
        assert_eq!(status, StatusCode::OK, "{endpoint}: {answer}");
        answer
    }

    async fn create(&self, name: &str) -> PlanDetail {
        detail(
            self.ok(
                &self.operator,
                "plans/create",
                json!({ "content": content(name) }),
            )
            .await,
        )
    }

    async fn get(&self, plan: &PlanDetail) -> PlanDetail {
        detail(
            self.ok(&self.operator, "plans/get", json!({ "id": plan.plan.id }))
                .await,
        )
    }

    /// Submits as the operator and approves as the reviewer.
    async fn activate(&self, plan: &PlanDetail) -> PlanDetail {
        let submitted = detail(
            self.ok(
                &self.operator,
                "plans/submit",
                json!({ "id": plan.plan.id, "revision": plan.plan.revision }),
            )
            .await,
        );
        detail(
            self.ok(
                &self.reviewer,
                "plans/approve",
                json!({ "id": plan.plan.id, "revision": submitted.plan.revision, "comment": "looks right" }),
            )
            .await,
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_goes_from_draft_through_review_to_active_and_keeps_every_approved_version() {
    let t = Plans::new().await;
    let plan = t.create("Power loss drill").await;
    assert_eq!(plan.plan.status, PlanStatus::Draft);
    assert_eq!(
        (plan.plan.switchover_steps, plan.plan.recovery_steps),
        (3, 1)
    );
    assert_eq!(plan.versions[0].editors, ["operator"]);
    let id = plan.plan.id;

    let submitted = detail(
        t.ok(
            &t.operator,
            "plans/submit",
            json!({ "id": id, "revision": plan.plan.revision }),
        )
        .await,
    );
    assert_eq!(submitted.plan.status, PlanStatus::InReview);
    assert_eq!(
        submitted.versions[0].submitted_by.as_deref(),
        Some("operator")
    );

    // A rejection needs a reason and returns the version to draft.
    let (status, answer) = t
        .app
        .call(
            &t.reviewer,
            "plans/reject",
            json!({ "id": id, "revision": submitted.plan.revision, "comment": " " }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["errors"][0]["field"], "comment");
    let rejected = detail(
        t.ok(
            &t.reviewer,
            "plans/reject",
            json!({ "id": id, "revision": submitted.plan.revision, "comment": "Confirm with the DBA first" }),
        )
        .await,
    );
    assert_eq!(rejected.plan.status, PlanStatus::Draft);
    assert_eq!(rejected.reviews[0].comment, "Confirm with the DBA first");
    assert_eq!(rejected.reviews[0].reviewer, "reviewer");

    let active = t.activate(&rejected).await;
    assert_eq!(active.plan.status, PlanStatus::Active);
    assert_eq!(active.active_version, Some(1));
    assert_eq!(active.versions[0].state, VersionState::Approved);
    assert_eq!(active.reviews[0].comment, "looks right");
    let approved_v1 = active.versions[0].content.clone();

    // Editing an active plan makes a new draft version; version 1 still runs.
    let mut changed = content("Power loss drill");
    changed["switchover"][0]["params"]["drain_seconds"] = json!(90);
    let edited = detail(
        t.ok(
            &t.operator,
            "plans/update",
            json!({ "id": id, "revision": active.plan.revision, "content": changed }),
        )
        .await,
    );
    assert_eq!(edited.plan.status, PlanStatus::Active);
    assert_eq!(edited.plan.working, Some(VersionState::Draft));
    assert_eq!(edited.active_version, Some(1));
    assert_eq!(edited.working().unwrap().number, 2);
    assert_eq!(edited.active().unwrap().content, approved_v1);

    // Saving again changes the same draft, not another version.
    let again = detail(
        t.ok(
            &t.operator,
            "plans/update",
            json!({ "id": id, "revision": edited.plan.revision, "content": changed }),
        )
        .await,
    );
    assert_eq!(again.versions.len(), 2);

    let v2 = t.activate(&again).await;
    assert_eq!(v2.active_version, Some(2));
    assert_eq!(v2.versions.len(), 2);
    assert_eq!(v2.versions[1].state, VersionState::Approved);
    assert_eq!(
        v2.versions[1].content, approved_v1,
        "version 1 never changes"
    );

    // Deactivated, it waits for a new approval; submitting puts a copy in review.
    let (status, answer) = t
        .app
        .call(
            &t.operator,
            "plans/deactivate",
            json!({ "id": id, "revision": v2.plan.revision, "comment": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let inactive = detail(
        t.ok(
            &t.reviewer,
            "plans/deactivate",
            json!({ "id": id, "revision": v2.plan.revision, "comment": "site decommissioned" }),
        )
        .await,
    );
    assert_eq!(inactive.plan.status, PlanStatus::Inactive);
    assert_eq!(inactive.active_version, None);
    let back = t.activate(&inactive).await;
    assert_eq!(back.plan.status, PlanStatus::Active);
    assert_eq!(back.active_version, Some(3));
    assert_eq!(back.versions[0].content, back.versions[1].content);

    let (_, list) = t.app.call(&t.reviewer, "plans/list", json!({})).await;
    let list: Vec<PlanSummary> = serde_json::from_value(list).unwrap();
    let row = list.iter().find(|p| p.id == id).unwrap();
    assert_eq!(row.status, PlanStatus::Active);
    assert_eq!(row.updated_by.as_deref(), Some("reviewer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_approves_a_version_they_edited() {
    let t = Plans::new().await;
    let admin = t.app.as_role(Role::Admin).await;
    let plan = detail(
        t.ok(
            &admin,
            "plans/create",
            json!({ "content": content("Admin's plan") }),
        )
        .await,
    );
    let submitted = detail(
        t.ok(
            &admin,
            "plans/submit",
            json!({ "id": plan.plan.id, "revision": plan.plan.revision }),
        )
        .await,
    );
    let (status, answer) = t
        .app
        .call(
            &admin,
            "plans/approve",
            json!({ "id": plan.plan.id, "revision": submitted.plan.revision, "comment": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("four eyes"),
        "{answer}"
    );
    assert_eq!(t.get(&plan).await.plan.status, PlanStatus::InReview);

    let approved = t
        .ok(
            &t.reviewer,
            "plans/approve",
            json!({ "id": plan.plan.id, "revision": submitted.plan.revision, "comment": "" }),
        )
        .await;
    assert_eq!(detail(approved).plan.status, PlanStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_over_a_newer_version_is_refused_and_says_who_changed_it() {
    let t = Plans::new().await;
    let plan = t.create("Shared plan").await;
    let admin = t.app.as_role(Role::Admin).await;
    let mut theirs = content("Shared plan");
    theirs["description"] = json!("admin's words");
    t.ok(
        &admin,
        "plans/update",
        json!({ "id": plan.plan.id, "revision": plan.plan.revision, "content": theirs }),
    )
    .await;

    let mut mine = content("Shared plan");
    mine["description"] = json!("operator's words");
    let (status, answer) = t
        .app
        .call(
            &t.operator,
            "plans/update",
            json!({ "id": plan.plan.id, "revision": plan.plan.revision, "content": mine }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["code"], "stale_revision");
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("changed by admin at"), "{message}");
    assert!(message.contains("nothing was saved"), "{message}");
    let stored = t.get(&plan).await;
    assert_eq!(stored.versions[0].content.description, "admin's words");

    // Reviewers approve exactly what they saw: a stale approval is a conflict too.
    let submitted = detail(
        t.ok(
            &t.operator,
            "plans/submit",
            json!({ "id": plan.plan.id, "revision": stored.plan.revision }),
        )
        .await,
    );
    let (status, _) = t
        .app
        .call(
            &t.reviewer,
            "plans/approve",
            json!({ "id": plan.plan.id, "revision": stored.plan.revision, "comment": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(t.get(&submitted).await.plan.status, PlanStatus::InReview);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_plans_are_refused_field_by_field_and_nothing_is_stored() {
    let t = Plans::new().await;
    let mut bad = content("  ");
    bad["switchover"][1]["params"]["cluster"] = json!("no-such-db");
    bad["recovery"] = json!([step("w", "wait", json!({ "seconds": "soon" }))]);
    bad["rto_minutes"] = json!(0);
    let (status, answer) = t
        .app
        .call(&t.operator, "plans/create", json!({ "content": bad }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let fields: Vec<&str> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "rto_minutes",
            "switchover[1].params.cluster",
            "recovery[0].params.seconds"
        ]
    );
    let (_, list) = t.app.call(&t.operator, "plans/list", json!({})).await;
    assert!(list.as_array().unwrap().iter().all(|p| p["name"] != "  "));

    let (status, answer) = t
        .app
        .call(
            &t.operator,
            "plans/create",
            json!({ "content": { "name": "Empty", "description": "", "switchover": [], "recovery": [] } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["errors"][0]["field"], "switchover");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_keys_that_collide_are_refused_next_to_the_step_and_others_are_kept_apart() {
    let t = Plans::new().await;
    let mut same = content("Same keys");
    same["switchover"][0]["key"] = json!("cut");
    same["switchover"][1]["key"] = json!("CUT");
    let (status, answer) = t
        .app
        .call(&t.operator, "plans/create", json!({ "content": same }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        answer["errors"][0]["field"], "switchover[1].key",
        "{answer}"
    );

    // Keys the database's collation would have taken for one are two steps' keys.
    let mut apart = content("Keys apart");
    apart["switchover"][1]["key"] = json!("cüt");
    apart["switchover"][2]["key"] = json!("ｃut");
    let plan = detail(
        t.ok(&t.operator, "plans/create", json!({ "content": apart }))
            .await,
    );
    let keys: Vec<String> = t
        .get(&plan)
        .await
        .latest()
        .unwrap()
        .content
        .switchover
        .iter()
        .map(|s| s.key.clone())
        .collect();
    assert_eq!(keys, ["cut", "cüt", "ｃut"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clone_is_a_new_draft_with_the_same_steps_and_a_name_of_its_own() {
    let t = Plans::new().await;
    let original = t.activate(&t.create("Original").await).await;
    let clone = detail(
        t.ok(
            &t.operator,
            "plans/clone",
            json!({ "id": original.plan.id, "name": "Copy" }),
        )
        .await,
    );
    assert_ne!(clone.plan.id, original.plan.id);
    assert_eq!(clone.plan.status, PlanStatus::Draft);
    let (a, b) = (&original.versions[0].content, &clone.versions[0].content);
    assert_eq!(
        (a.switchover.clone(), a.recovery.clone()),
        (b.switchover.clone(), b.recovery.clone())
    );
    assert_eq!(b.name, "Copy");

    let (status, answer) = t
        .app
        .call(
            &t.operator,
            "plans/clone",
            json!({ "id": original.plan.id, "name": "Original" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["field"], "name");
    assert_eq!(
        answer["message"],
        "a plan named \"Original\" already exists; choose another name"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_plan_stays_in_the_history_of_its_executions() {
    use diesel::sql_types::{BigInt, Text, Unsigned};
    use diesel_async::RunQueryDsl;
    let t = Plans::new().await;
    let plan = t.activate(&t.create("Short-lived").await).await;
    let version = plan.active().unwrap();
    // An execution as the engine will create it: its own copy of the steps.
    let mut conn = t.app.db.connect().await;
    diesel::sql_query(
        "INSERT INTO executions (run_key, plan_id, plan_version_id, plan_name, \
         plan_version_number, failed_data_center_id, emergency_data_center_id) \
         SELECT UUID(), ?, ?, ?, 1, MIN(id), MAX(id) FROM data_centers",
    )
    .bind::<Unsigned<BigInt>, _>(plan.plan.id.0)
    .bind::<Unsigned<BigInt>, _>(version.id.0)
    .bind::<Text, _>(&plan.plan.name)
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query(
        "INSERT INTO execution_steps (execution_id, phase, position, step_key, opcode, title, params) \
         SELECT (SELECT MAX(id) FROM executions), phase, position, step_key, opcode, title, params \
         FROM plan_steps WHERE plan_version_id = ?",
    )
    .bind::<Unsigned<BigInt>, _>(version.id.0)
    .execute(&mut conn)
    .await
    .unwrap();

    t.ok(
        &t.operator,
        "plans/delete",
        json!({ "id": plan.plan.id, "revision": plan.plan.revision }),
    )
    .await;
    let (status, _) = t
        .app
        .call(&t.operator, "plans/get", json!({ "id": plan.plan.id }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    #[derive(diesel::QueryableByName)]
    struct Kept {
        #[diesel(sql_type = Text)]
        plan_name: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<Unsigned<BigInt>>)]
        plan_id: Option<u64>,
        #[diesel(sql_type = BigInt)]
        steps: i64,
    }
    let kept: Kept = diesel::sql_query(
        "SELECT plan_name, plan_id, (SELECT COUNT(*) FROM execution_steps) AS steps FROM executions",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        (kept.plan_name.as_str(), kept.plan_id, kept.steps),
        ("Short-lived", None, 4)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_diff_shows_what_the_draft_changes() {
    let t = Plans::new().await;
    let active = t.activate(&t.create("Diffed").await).await;
    let mut draft = content("Diffed");
    // Move the confirmation first, change the drain time, drop the database step,
    // add a wait, clear the recovery phase and tighten the target.
    draft["rto_minutes"] = json!(15);
    draft["switchover"] = json!([
        step(
            "ok",
            "manual.confirm",
            json!({ "instruction": "Check the payment dashboards." })
        ),
        step(
            "cut",
            "traffic.cut",
            json!({ "product_group": "Payments", "drain_seconds": 120 })
        ),
        step("", "wait", json!({ "seconds": 10 })),
    ]);
    draft["recovery"] = json!([]);
    t.ok(
        &t.operator,
        "plans/update",
        json!({ "id": active.plan.id, "revision": active.plan.revision, "content": draft }),
    )
    .await;

    let answer = t
        .ok(
            &t.reviewer,
            "plans/diff",
            json!({ "id": active.plan.id, "old": null, "new": null }),
        )
        .await;
    let diff: PlanDiff = serde_json::from_value(answer).unwrap();
    assert_eq!((diff.old_version, diff.new_version), (Some(1), Some(2)));
    let rows: Vec<(String, StepChange, bool)> = diff.phases[0]
        .rows
        .iter()
        .map(|r| {
            let step = r.new.as_ref().or(r.old.as_ref()).unwrap();
            (step.step.opcode.clone(), r.change, r.moved)
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("manual.confirm".to_owned(), StepChange::Unchanged, true),
            ("traffic.cut".to_owned(), StepChange::Changed, false),
            ("db.switchover".to_owned(), StepChange::Removed, false),
            ("wait".to_owned(), StepChange::Added, false),
        ]
    );
    let changed = &diff.phases[0].rows[1].fields[0];
    assert_eq!(
        (
            changed.field.as_str(),
            changed.old.as_str(),
            changed.new.as_str()
        ),
        ("drain_seconds", "30", "120")
    );
    assert_eq!(diff.phases[1].rows[0].change, StepChange::Removed);
    let target = &diff.basics[0];
    assert_eq!(
        (
            target.field.as_str(),
            target.old.as_str(),
            target.new.as_str()
        ),
        ("recovery-time target", "20 min", "15 min")
    );

    let same = t
        .ok(
            &t.reviewer,
            "plans/diff",
            json!({ "id": active.plan.id, "old": 1, "new": 1 }),
        )
        .await;
    assert!(serde_json::from_value::<PlanDiff>(same).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_imported_again_is_the_same_plan() {
    let t = Plans::new().await;
    let plan = t.activate(&t.create("Exported").await).await;
    let document = t
        .ok(
            &t.reviewer,
            "plans/export",
            json!({ "id": plan.plan.id, "number": 1 }),
        )
        .await;
    assert_eq!(document["format"], "switchyard.plan/1");
    assert_eq!(
        document["rto_minutes"], 20,
        "the target travels with the plan"
    );
    assert_eq!(
        document["switchover"][1]["params"]["cluster"],
        "payments-db"
    );
    let text = serde_json::to_string_pretty(&document).unwrap();

    // While the original exists, its name is taken: said with the line it is on.
    let (status, answer) = t
        .app
        .call(&t.operator, "plans/import", json!({ "document": text }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let name_line = text.lines().position(|l| l.contains("\"name\"")).unwrap() + 1;
    let expected = format!("line {name_line}, column 11: a plan named");
    assert!(
        answer["message"].as_str().unwrap().starts_with(&expected),
        "{answer}"
    );

    t.ok(
        &t.operator,
        "plans/delete",
        json!({ "id": plan.plan.id, "revision": plan.plan.revision }),
    )
    .await;
    let imported = detail(
        t.ok(&t.operator, "plans/import", json!({ "document": text }))
            .await,
    );
    assert_eq!(imported.plan.status, PlanStatus::Draft);
    let again = t
        .ok(
            &t.operator,
            "plans/export",
            json!({ "id": imported.plan.id, "number": null }),
        )
        .await;
    assert_eq!(again, document);
    assert_eq!(imported.versions[0].content, plan.versions[0].content);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_import_error_names_its_line() {
    let t = Plans::new().await;
    let good = |edit: &dyn Fn(&mut Value)| {
        let mut document = content("Imported");
        document["format"] = json!("switchyard.plan/1");
        edit(&mut document);
        serde_json::to_string_pretty(&document).unwrap()
    };
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "syntax",
            "{\n  \"format\": \"switchyard.plan/1\",\n  \"name\": \"x\"\n  \"switchover\": []\n}"
                .to_owned(),
            "document",
            "line 4, column 3: expected `,` or `}`",
        ),
        (
            "shape",
            good(&|d| d["switchover"] = json!("all of it")),
            "document",
            "invalid type: string \"all of it\", expected a sequence",
        ),
        (
            "unknown field",
            good(&|d| d["owner"] = json!("ops")),
            "document",
            "unknown field `owner`",
        ),
        (
            "format",
            good(&|d| d["format"] = json!("runbook/7")),
            "format",
            "the format is \"runbook/7\"",
        ),
        (
            "empty switchover",
            good(&|d| d["switchover"] = json!([])),
            "switchover",
            "needs at least one step",
        ),
        (
            "step type",
            good(&|d| d["switchover"][0]["opcode"] = json!("teleport")),
            "switchover[0].opcode",
            "there is no step type \"teleport\"",
        ),
        (
            "parameter",
            good(&|d| d["switchover"][0]["params"]["colour"] = json!("red")),
            "switchover[0].params.colour",
            "is not a parameter of Cut traffic",
        ),
        (
            "value",
            good(&|d| d["switchover"][0]["params"]["drain_seconds"] = json!(9999)),
            "switchover[0].params.drain_seconds",
            "must be between 0 and 600",
        ),
        (
            "missing value",
            good(&|d| {
                d["switchover"][1]["params"] = json!({});
            }),
            "switchover[1].params.cluster",
            "is required",
        ),
        (
            "product group",
            good(&|d| d["switchover"][0]["params"]["product_group"] = json!("Bakery")),
            "switchover[0].params.product_group",
            "there is no product group named \"Bakery\"",
        ),
        (
            "cluster",
            good(&|d| d["recovery"][0]["params"]["cluster"] = json!("bakery-db")),
            "recovery[0].params.cluster",
            "there is no database cluster named \"bakery-db\"",
        ),
    ];
    for (case, text, field, expected) in cases {
        let (status, answer) = t
            .app
            .call(&t.operator, "plans/import", json!({ "document": text }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{case}: {answer}");
        let error = &answer["errors"][0];
        assert_eq!(error["field"], field, "{case}: {answer}");
        let message = error["message"].as_str().unwrap();
        assert!(message.starts_with("line "), "{case}: {message}");
        assert!(message.contains(expected), "{case}: {message}");
        // The line named is the line holding the offending value.
        let line: usize = message[5..message.find(',').unwrap()].parse().unwrap();
        let needle = match case {
            "shape" => "all of it",
            "step type" => "teleport",
            "parameter" => "colour",
            "value" => "9999",
            "product group" => "Bakery",
            "cluster" => "bakery-db",
            "format" => "runbook/7",
            _ => continue,
        };
        assert!(
            text.lines().nth(line - 1).unwrap().contains(needle),
            "{case}: line {line} of\n{text}"
        );
    }
    let (_, list) = t.app.call(&t.operator, "plans/list", json!({})).await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|p| p["name"] != "Imported")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_changes_are_in_the_audit_log() {
    let t = Plans::new().await;
    let plan = t.activate(&t.create("Audited").await).await;
    let admin = t.app.as_role(Role::Admin).await;
    let (_, page) = t
        .app
        .call(
            &admin,
            "audit/list",
            json!({ "query": { "target_kind": "plan" } }),
        )
        .await;
    let target = plan.plan.id.0.to_string();
    let actions: Vec<&str> = page["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .filter(|e| e["target_id"] == target.as_str())
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["plans/approve", "plans/submit", "plans/create"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_brings_two_active_plans_and_one_awaiting_review() {
    let t = Plans::new().await;
    let (_, list) = t.app.call(&t.operator, "plans/list", json!({})).await;
    let list: Vec<PlanSummary> = serde_json::from_value(list).unwrap();
    let statuses: Vec<(&str, PlanStatus, u32, u32)> = list
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.status,
                p.switchover_steps,
                p.recovery_steps,
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("Data center network partition", PlanStatus::Active, 5, 3),
            ("Data center power loss", PlanStatus::Active, 4, 6),
            ("Trading failover drill", PlanStatus::InReview, 3, 2),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_import_is_refused_whole_and_a_full_one_in_one_pass() {
    let t = Plans::new().await;
    let document = |steps: usize| {
        let mut document = content("Huge");
        document["format"] = json!("switchyard.plan/1");
        document["switchover"] = json!(vec![json!({ "opcode": "teleport", "params": {} }); steps]);
        serde_json::to_string_pretty(&document).unwrap()
    };

    // Over the limit: one error, the steps not even looked at.
    let (status, answer) = t
        .app
        .call(
            &t.operator,
            "plans/import",
            json!({ "document": document(4_000) }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let errors = answer["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{answer}");
    assert_eq!(errors[0]["field"], "switchover");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 200 steps")
    );

    // At the limit: every step's problem, each on its own line.
    let text = document(200);
    let (status, answer) = t
        .app
        .call(&t.operator, "plans/import", json!({ "document": &text }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = answer["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 200);
    let lines: std::collections::HashSet<&str> = errors
        .iter()
        .map(|e| e["message"].as_str().unwrap().split(',').next().unwrap())
        .collect();
    assert_eq!(lines.len(), 200, "each error names its own line");
    assert_eq!(errors[199]["field"], "switchover[199].opcode");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_the_lifecycle_refuses_is_a_wrong_state_conflict() {
    let t = Plans::new().await;
    let plan = t.activate(&t.create("Settled").await).await;

    let (status, answer) = t
        .app
        .call(
            &t.operator,
            "plans/submit",
            json!({ "id": plan.plan.id, "revision": plan.plan.revision }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["code"], "wrong_state");
    assert_eq!(
        answer["message"],
        "Settled has no changes to review: its newest version is already active"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_writes_the_catalog_defaults_into_the_version() {
    let t = Plans::new().await;
    let mut plan = content("Defaults pinned");
    // Left out: the drain time (default 30 s) and, in the recovery's wait, nothing.
    plan["switchover"][0]["params"] = json!({ "product_group": "Payments" });
    let draft = detail(
        t.ok(&t.operator, "plans/create", json!({ "content": plan }))
            .await,
    );
    let draft_step = &draft.working().unwrap().content.switchover[0];
    assert_eq!(
        draft_step.params.get("drain_seconds"),
        None,
        "a draft keeps what was written"
    );

    let active = t.activate(&draft).await;
    let approved = active.active().unwrap();
    assert_eq!(
        approved.content.switchover[0].params.get("drain_seconds"),
        Some(&json!(30)),
        "the approved version says what it will do"
    );
    assert_eq!(
        approved.content.switchover[0].params.get("product_group"),
        Some(&json!("Payments"))
    );
}

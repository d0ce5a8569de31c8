//! A store call can be dropped at any await: a request whose client went away, a runner
//! whose step an operator abandoned. Whatever it left on its connection must not reach the
//! next caller: no answer meant for another query, no transaction left open (where the
//! next caller's writes would never be committed). Each test cuts calls off after every
//! number of waits in turn, on a pool of one connection, and checks the next call.

use crate::support::test_db::TestDb;
use app::domain::environment::DataCenterForm;
use app::domain::ids::DataCenterId;
use app::store::audit::AuditRecord;
use app::store::{Store, data_centers};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use server::migrate::run_pending;
use std::future::Future;
use std::task::Poll;

/// Polls `work` until it has waited `waits` times, then drops it where it stands.
async fn cut_after<F: Future>(waits: usize, work: F) -> Option<F::Output> {
    let mut work = std::pin::pin!(work);
    let mut left = waits;
    std::future::poll_fn(|cx| match work.as_mut().poll(cx) {
        Poll::Ready(value) => Poll::Ready(Some(value)),
        Poll::Pending if left == 0 => Poll::Ready(None),
        Poll::Pending => {
            left -= 1;
            Poll::Pending
        }
    })
    .await
}

fn record() -> AuditRecord {
    AuditRecord {
        actor_id: None,
        actor_name: "test".to_owned(),
        actor_role: None,
        action: "data_centers/create",
        client_addr: None,
        note: None,
    }
}

async fn create(store: &Store, name: &str) -> Result<DataCenterId, app::store::StoreError> {
    let form = DataCenterForm {
        region: "East China".to_owned(),
        name: name.to_owned(),
        description: "a description long enough to need a few packets ".repeat(40),
    }
    .validate()
    .unwrap();
    Ok(data_centers::create(store, &record(), &form).await?.id)
}

async fn one_connection_store() -> (TestDb, Store) {
    let db = TestDb::empty().await;
    run_pending(&db.url).await.unwrap();
    let store = Store::new(&db.url, 1, crate::support::state_dir::mode()).unwrap();
    (db, store)
}

/// Cuts reads off on a store of its own, checking the read after each.
async fn cut_reads(store: Store) {
    let mut ids = Vec::new();
    for name in ["Shanghai-A", "Hangzhou-B", "Beijing-C"] {
        ids.push(create(&store, name).await.unwrap());
    }
    let all = data_centers::list(&store).await.unwrap();
    for waits in 0..40 {
        let _ = cut_after(waits, data_centers::list(&store)).await;
        let one = data_centers::get(&store, ids[1]).await;
        assert_eq!(
            one.map(|d| d.name).map_err(|e| e.to_string()),
            Ok("Hangzhou-B".to_owned()),
            "after a list cut off at wait {waits}"
        );
        let _ = cut_after(waits, data_centers::get(&store, ids[0])).await;
        let listed = data_centers::list(&store).await;
        assert_eq!(
            listed.map_err(|e| e.to_string()),
            Ok(all.clone()),
            "after a get cut off at wait {waits}"
        );
    }
}

/// Several at once: a cut lands mid-answer more often on a busy machine (where it was
/// first seen: the next query read the rest of the cut one's answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_cut_off_midway_never_answers_the_next_one() {
    let mut dbs = Vec::new();
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (db, store) = one_connection_store().await;
        dbs.push(db);
        readers.spawn(cut_reads(store));
    }
    while let Some(done) = readers.join_next().await {
        done.unwrap();
    }
}

/// Cuts creates off on a store of its own; after each, a create must be committed (seen
/// from another connection) and every data center must have its audit entry.
async fn cut_writes(db: TestDb, store: Store) {
    use app::store::schema::{audit_log, data_centers as table};
    let mut outside = db.connect().await;
    for waits in 0..40 {
        let _ = cut_after(waits, create(&store, &format!("cut-{waits}"))).await;
        let kept = format!("kept-{waits}");
        create(&store, &kept)
            .await
            .unwrap_or_else(|e| panic!("after a create cut off at wait {waits}: {e}"));
        let seen: i64 = table::table
            .filter(table::name.eq(&kept))
            .count()
            .get_result(&mut outside)
            .await
            .unwrap();
        assert_eq!(seen, 1, "{kept} was not committed");
    }
    let rows: i64 = table::table.count().get_result(&mut outside).await.unwrap();
    let entries: i64 = audit_log::table
        .filter(audit_log::action.eq("data_centers/create"))
        .count()
        .get_result(&mut outside)
        .await
        .unwrap();
    assert_eq!(
        rows, entries,
        "a data center without its audit entry, or the reverse"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_cut_off_midway_leaves_no_transaction_for_the_next_one() {
    let mut writers = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (db, store) = one_connection_store().await;
        writers.spawn(cut_writes(db, store));
    }
    while let Some(done) = writers.join_next().await {
        done.unwrap();
    }
}

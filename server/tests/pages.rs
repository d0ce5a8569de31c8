//! Pages rendered on the server: what a browser receives before any script runs.

use crate::support::test_app::TestApp;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_step_catalog_page_is_rendered_with_every_step() {
    let app = TestApp::spawn().await;

    let (status, html) = app.page("/steps").await;

    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<title>Step catalog · Switchyard</title>"),
        "{html}"
    );
    for opcode in [
        "traffic.cut",
        "app.restart",
        "db.switchback",
        "manual.confirm",
        "http.call",
    ] {
        assert!(
            html.contains(&format!("data-opcode=\"{opcode}\"")),
            "{opcode} row missing"
        );
    }
    assert!(html.contains("Showing 8 of 8 step types"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_section_of_the_navigation_answers() {
    let app = TestApp::spawn().await;

    for path in [
        "/",
        "/plans",
        "/executions",
        "/steps",
        "/environment",
        "/audit",
        "/settings",
    ] {
        let (status, html) = app.page(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            html.contains("aria-label=\"Sections\""),
            "{path} lacks the navigation"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_path_is_a_404_page() {
    let app = TestApp::spawn().await;

    let (status, html) = app.page("/no/such/page").await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_whose_data_cannot_be_loaded_says_why() {
    let store = app::store::Store::new("mysql://root@127.0.0.1:1/switchyard", 2).unwrap();
    let base = crate::support::test_app::serve(store).await;

    let response = reqwest::get(format!("{base}/steps")).await.unwrap();
    let html = response.text().await.unwrap();

    assert!(html.contains("This could not be loaded"), "{html}");
    assert!(html.contains("the database is unavailable right now"));
    assert!(
        html.contains("aria-label=\"Sections\""),
        "the console around it still works"
    );
}

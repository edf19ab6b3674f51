//! Linking machines: re-links, reinstalls, clones, moves between accounts, unlinking.

use reqwest::StatusCode;

use crate::helpers::{error_of, machine, spawn_app};

#[tokio::test]
async fn relinking_the_same_machine_replaces_its_token() {
    let app = spawn_app().await;
    let email = "relink@example.fr";
    let (password, first) = app.linked(email, &machine(1)).await;

    let second = app
        .link_ok(email, &password, &machine(1), Some(&first.token))
        .await;
    assert_eq!(
        second.machine_id, first.machine_id,
        "the same machine record"
    );
    assert_ne!(second.token, first.token);
    assert_eq!(second.account.machines.len(), 1);

    let (status, body) = error_of(app.account(&first.token).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "not_linked");
    app.account_view(&second.token).await;
}

#[tokio::test]
async fn a_reinstalled_app_relinks_its_own_record() {
    let app = spawn_app().await;
    let email = "reinstall@example.fr";
    let (password, first) = app.linked(email, &machine(1)).await;
    assert_eq!(
        app.unlink(&first.token).await.status(),
        StatusCode::NO_CONTENT
    );

    // The reinstalled app lost its data folder (no machine ID) and its token.
    let again = app.link_ok(email, &password, &machine(1), None).await;
    assert_eq!(again.machine_id, first.machine_id);
    assert_eq!(again.account.machines.len(), 1);

    // With its machine ID kept, the same.
    app.unlink(&again.token).await;
    let mut kept = machine(1);
    kept.machine_id = Some(first.machine_id.clone());
    let third = app.link_ok(email, &password, &kept, None).await;
    assert_eq!(third.machine_id, first.machine_id);
}

#[tokio::test]
async fn cloned_machines_sharing_an_identifier_do_not_evict_each_other() {
    let app = spawn_app().await;
    let email = "clones@example.fr";
    let (password, original) = app.linked(email, &machine(7)).await;

    // The clone has the same machine identifier and even the copied machine ID, but
    // not the original's token (the credential store is per machine).
    let mut clone = machine(7);
    clone.name = "POSTE-07-CLONE".into();
    clone.machine_id = Some(original.machine_id.clone());
    let cloned = app.link_ok(email, &password, &clone, None).await;
    assert_ne!(cloned.machine_id, original.machine_id);

    // Both stay linked, and the list shows they share an identity.
    app.account_view(&original.token).await;
    let view = app.account_view(&cloned.token).await;
    assert_eq!(view.machines.len(), 2);
    assert!(view.machines.iter().all(|m| m.shares_identity));
}

#[tokio::test]
async fn a_machine_linked_to_another_account_must_be_moved_explicitly() {
    let app = spawn_app().await;
    let (_, in_first) = app.linked("first@example.fr", &machine(1)).await;
    let (second_password, _) = app.register_and_read_password("second@example.fr").await;

    let response = app
        .link(
            "second@example.fr",
            &second_password,
            &machine(1),
            Some(&in_first.token),
            false,
        )
        .await;
    let (status, body) = error_of(response).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "machine_linked_elsewhere");
    // Nothing moved.
    let view = app.account_view(&in_first.token).await;
    assert_eq!(view.machines.len(), 1);

    let response = app
        .link(
            "second@example.fr",
            &second_password,
            &machine(1),
            Some(&in_first.token),
            true,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let moved: account_api::wire::LinkResponse = response.json().await.unwrap();
    assert_eq!(moved.account.details.email, "second@example.fr");
    assert_eq!(
        error_of(app.account(&in_first.token).await).await.1["code"],
        "not_linked"
    );

    // The first account is told, and both keep a trace.
    let told = app
        .smtp
        .wait_for("first@example.fr", 3, std::time::Duration::from_secs(20))
        .await;
    assert!(told
        .iter()
        .any(|m| m.subject.contains("ordinateur transféré : POSTE-01")));
    let actions: Vec<(i64, String)> =
        sqlx::query_as("SELECT account_id, action FROM audit_events WHERE action LIKE 'machine_moved%' ORDER BY id")
            .fetch_all(&app.db().await)
            .await
            .unwrap();
    assert_eq!(actions.len(), 2);
    assert_ne!(actions[0].0, actions[1].0);
}

#[tokio::test]
async fn unlinking_this_machine_revokes_its_token_and_tells_the_account() {
    let app = spawn_app().await;
    let email = "unlink@example.fr";
    let (_, link) = app.linked(email, &machine(1)).await;
    assert_eq!(
        app.unlink(&link.token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        error_of(app.account(&link.token).await).await.1["code"],
        "not_linked"
    );
    assert_eq!(
        error_of(app.unlink(&link.token).await).await.1["code"],
        "not_linked"
    );
    let notice = app.smtp.wait_for_nth(email, 3).await;
    assert!(
        notice.subject.contains("ordinateur délié : POSTE-01"),
        "{}",
        notice.subject
    );
}

#[tokio::test]
async fn another_machine_is_unlinked_with_the_password() {
    let app = spawn_app().await;
    let email = "dead-pc@example.fr";
    let (password, dead) = app.linked(email, &machine(1)).await;
    let alive = app.link_ok(email, &password, &machine(2), None).await;

    let response = app
        .unlink_other(&alive.token, &dead.machine_id, "WRONG-WRONG-WRONG")
        .await;
    assert_eq!(error_of(response).await.1["code"], "invalid_credentials");
    app.account_view(&dead.token).await;

    let response = app
        .unlink_other(&alive.token, "00000000000000000000000000000000", &password)
        .await;
    let (status, body) = error_of(response).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("machine_not_found"))
    );

    let response = app
        .unlink_other(&alive.token, &dead.machine_id, &password)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        error_of(app.account(&dead.token).await).await.1["code"],
        "not_linked"
    );
    let view = app.account_view(&alive.token).await;
    assert_eq!(view.machines.len(), 1);
    assert_eq!(view.machines[0].machine_id, alive.machine_id);

    // A machine of another account cannot be unlinked from here.
    let (_, stranger) = app.linked("stranger@example.fr", &machine(3)).await;
    let response = app
        .unlink_other(&alive.token, &stranger.machine_id, &password)
        .await;
    assert_eq!(error_of(response).await.1["code"], "machine_not_found");
    app.account_view(&stranger.token).await;
}

#[tokio::test]
async fn wrong_passwords_and_unknown_addresses_get_the_same_answer() {
    let app = spawn_app().await;
    app.register_and_read_password("real@example.fr").await;
    let wrong = app
        .link(
            "real@example.fr",
            "AAAAA-BBBBB-CCCCC",
            &machine(1),
            None,
            false,
        )
        .await;
    let unknown = app
        .link(
            "ghost@example.fr",
            "AAAAA-BBBBB-CCCCC",
            &machine(1),
            None,
            false,
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.bytes().await.unwrap(), unknown.bytes().await.unwrap());
}

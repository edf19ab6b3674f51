//! The release program as packaged (`panic = "abort"`, optimised and stripped, its page
//! served by the custom protocol), which no other test launches: its version, commands
//! and window against the real service, a real SMTP server and the real credential store.
//!
//! Ignored by a plain `cargo test` (it needs the release build); scripts/package.sh runs
//! it on the program it just built:
//! `CUSTOMER_ACCOUNT_RELEASE_EXE=target/release/customer-account cargo test --test release -- --ignored`

mod common;

use std::path::{Path, PathBuf};

use common::window::Window;
use test_support::{machine::Machine, service::spawn_app};

fn release_program() -> PathBuf {
    std::env::var_os("CUSTOMER_ACCOUNT_RELEASE_EXE")
        .expect("CUSTOMER_ACCOUNT_RELEASE_EXE: the release program to try")
        .into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the release build: scripts/package.sh runs it"]
async fn the_release_program_registers_links_and_opens_its_window() {
    let program = release_program();
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-LIVRE");
    let email = "livraison@exemple.fr";

    let version = pc
        .run(&program, &service.address, &["--version"], None)
        .await
        .ok();
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");

    let registered = pc
        .run(
            &program,
            &service.address,
            &[
                "register",
                "--email",
                email,
                "--company-name",
                "Livraison SARL",
                "--contact-first-name",
                "Léa",
                "--contact-last-name",
                "Petit",
                "--phone",
                "01 23 45 67 89",
            ],
            None,
        )
        .await
        .ok();
    assert!(registered.contains(email), "{registered}");
    let password = service
        .smtp
        .wait_for_nth(email, 1)
        .await
        .password()
        .expect("the mail gives the password");
    let linked = pc
        .run(
            &program,
            &service.address,
            &["link", "--email", email, "--json"],
            Some(&password),
        )
        .await;
    assert_eq!(linked.code, 0, "{}", linked.stderr);
    let customer_id = linked.json()["account"]["customer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = pc.token(&service.address).expect("a machine token");
    assert_eq!(service.account_view(&token).await.customer_id, customer_id);

    // A refusal ends with its exit code, not an abort.
    let refused = pc
        .run(&program, &service.address, &["frobnicate"], None)
        .await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);

    // The window: its page comes from the program itself (the custom protocol).
    let args = ["--service-url", service.address.as_str(), "--lang", "en"];
    let (window, _) = Window::launch(Path::new(&program), &args, &pc).await;
    window.find("#screen-account").await;
    let shown: String = window
        .text("#customer-id")
        .await
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    assert_eq!(shown, customer_id);
    window.close().await;
}

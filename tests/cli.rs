//! The `customer-account` commands, run as a user or a script would, against the real
//! service on loopback, a real SMTP server and the real credential store (Secret Service).

use std::path::Path;

use serde_json::Value;

mod common;
use common::PROGRAM;
use test_support::{
    machine::Machine,
    program::{finish, Run},
    service::{spawn_app, TestApp},
    wrong_code,
};

const REGISTER: &[&str] = &[
    "register",
    "--company-name",
    "Dupont Bâtiment SARL",
    "--contact-first-name",
    "Marie",
    "--contact-last-name",
    "Dupont",
    "--phone",
    "01 23 45 67 89",
];

/// Registers `email` from `machine` and returns the mailed password.
async fn register(service: &TestApp, machine: &Machine, email: &str) -> String {
    let before = service.smtp.mails_to(email).len();
    let mut args = REGISTER.to_vec();
    args.extend(["--email", email]);
    let run = machine.run(PROGRAM, &service.address, &args, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(email), "{}", run.stdout);
    service
        .smtp
        .wait_for_nth(email, before + 1)
        .await
        .password()
        .unwrap()
}

async fn link(service: &TestApp, machine: &Machine, email: &str, password: &str) -> Run {
    machine
        .run(
            PROGRAM,
            &service.address,
            &["link", "--email", email, "--json"],
            Some(password),
        )
        .await
}

fn files_containing(root: &Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path) {
            if String::from_utf8_lossy(&bytes).contains(needle) {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_link_then_id_and_status() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-01");
    let password = register(&service, &pc, "cli@example.fr").await;

    let linked = link(&service, &pc, "cli@example.fr", &password).await;
    assert_eq!(linked.code, 0, "{}", linked.stderr);
    let customer_id = linked.json()["account"]["customer_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let id = pc.run(PROGRAM, &service.address, &["id"], None).await;
    assert_eq!((id.code, id.stdout.as_str()), (0, customer_id.as_str()));

    let status = pc.run(PROGRAM, &service.address, &["status"], None).await;
    assert_eq!(status.code, 0);
    assert!(
        status.stdout.contains("Dupont Bâtiment SARL"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("this one: POSTE-01"),
        "{}",
        status.stdout
    );
    let status = pc
        .run(PROGRAM, &service.address, &["status", "--json"], None)
        .await
        .json();
    assert_eq!(status["linked"], true);
    assert_eq!(status["stale"], false);

    // French on request.
    let status = pc
        .run(PROGRAM, &service.address, &["status", "--lang", "fr"], None)
        .await;
    assert!(status.stdout.contains("Numéro client"), "{}", status.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_lives_in_the_credential_store_and_nowhere_on_disk() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-02");
    let password = register(&service, &pc, "secret@example.fr").await;
    assert_eq!(
        link(&service, &pc, "secret@example.fr", &password)
            .await
            .code,
        0
    );

    let token = pc
        .token(&service.address)
        .expect("the token is in the credential store");
    assert!(token.len() >= 43);
    assert!(pc.data_dir().join("state.json").exists());
    assert_eq!(
        files_containing(pc.home(), &token),
        Vec::<std::path::PathBuf>::new()
    );
    // Nor in clear in the keyring's own files.
    if let Some(keyrings) = std::env::var_os("XDG_DATA_HOME") {
        assert!(files_containing(Path::new(&keyrings), &token).is_empty());
    }
    // Unlinking removes it from the store.
    let run = pc
        .run(PROGRAM, &service.address, &["unlink", "--yes"], None)
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(pc.token(&service.address), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_credential_store_linking_fails_clearly_and_keeps_nothing() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-03");
    let password = register(&service, &pc, "nostore@example.fr").await;
    let mut command = pc.command(
        PROGRAM,
        &service.address,
        &["link", "--email", "nostore@example.fr"],
    );
    command.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let run = finish(command, Some(&password)).await;
    let stderr = run.stderr;
    assert_eq!(run.code, 11, "{stderr}");
    assert!(
        stderr.contains("No credential store is available"),
        "{stderr}"
    );
    assert!(
        !pc.data_dir().exists(),
        "nothing written when the link cannot be kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_then_the_limit_with_its_wait() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-04");
    let password = register(&service, &pc, "typo@example.fr").await;
    let run = link(&service, &pc, "typo@example.fr", "AAAAA-AAAAA-AAAAA").await;
    assert_eq!(run.code, 6, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "invalid_credentials");
    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["link", "--email", "typo@example.fr"],
            Some("AAAAA-AAAAA-AAAAA"),
        )
        .await;
    assert_eq!(run.stderr, "Wrong e-mail address or password.");
    for _ in 0..3 {
        link(&service, &pc, "typo@example.fr", "AAAAA-AAAAA-AAAAA").await;
    }
    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["link", "--email", "typo@example.fr"],
            Some(&password),
        )
        .await;
    assert_eq!(run.code, 7);
    assert!(
        run.stderr.starts_with("Too many attempts. Try again in "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("minutes"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_machine_linked_elsewhere_moves_only_when_asked() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-05");
    let first = register(&service, &pc, "first@example.fr").await;
    let second = register(&service, &pc, "second@example.fr").await;
    assert_eq!(
        link(&service, &pc, "first@example.fr", &first).await.code,
        0
    );

    let run = link(&service, &pc, "second@example.fr", &second).await;
    assert_eq!(run.code, 9);
    assert_eq!(run.json()["error"]["code"], "machine_linked_elsewhere");
    let status = pc
        .run(PROGRAM, &service.address, &["status", "--json"], None)
        .await
        .json();
    assert_eq!(status["account"]["details"]["email"], "first@example.fr");

    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["link", "--email", "second@example.fr", "--move", "--json"],
            Some(&second),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    let status = pc
        .run(PROGRAM, &service.address, &["status", "--json"], None)
        .await
        .json();
    assert_eq!(status["account"]["details"]["email"], "second@example.fr");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlink_then_relink_reuses_the_machine_record() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-06");
    let password = register(&service, &pc, "relink@example.fr").await;
    let first = link(&service, &pc, "relink@example.fr", &password)
        .await
        .json();
    let machine_id = first["account"]["this_machine_id"].clone();

    // Scripts must confirm.
    let run = pc.run(PROGRAM, &service.address, &["unlink"], None).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(
        pc.run(PROGRAM, &service.address, &["status"], None)
            .await
            .code,
        0
    );

    assert_eq!(
        pc.run(PROGRAM, &service.address, &["unlink", "--yes"], None)
            .await
            .code,
        0
    );
    let status = pc.run(PROGRAM, &service.address, &["status"], None).await;
    assert_eq!(status.code, 3);
    assert_eq!(
        status.stdout,
        "This computer is not linked to a customer account."
    );
    assert_eq!(
        pc.run(PROGRAM, &service.address, &["id"], None).await.code,
        3
    );

    let again = link(&service, &pc, "relink@example.fr", &password)
        .await
        .json();
    assert_eq!(again["account"]["this_machine_id"], machine_id);
    assert_eq!(again["account"]["machines"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_machines_and_unlink_another_machine() {
    let service = spawn_app().await;
    let office = Machine::new("POSTE-07");
    let laptop = Machine::new("PORTABLE-08");
    let password = register(&service, &office, "office@example.fr").await;
    assert_eq!(
        link(&service, &office, "office@example.fr", &password)
            .await
            .code,
        0
    );
    let linked = link(&service, &laptop, "office@example.fr", &password)
        .await
        .json();
    let laptop_id = linked["account"]["this_machine_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let run = office
        .run(
            PROGRAM,
            &service.address,
            &[
                "edit",
                "--phone",
                "06 12 34 56 78",
                "--city",
                "Lyon",
                "--street",
                "1 quai",
                "--postal-code",
                "69001",
            ],
            Some(&password),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let status = laptop
        .run(PROGRAM, &service.address, &["status", "--json"], None)
        .await
        .json();
    assert_eq!(status["account"]["details"]["phone"], "0612345678");
    assert_eq!(status["account"]["details"]["address"]["city"], "Lyon");

    // Refused values name their field; nothing is saved.
    let run = office
        .run(
            PROGRAM,
            &service.address,
            &["edit", "--siret", "73282932000075"],
            Some(&password),
        )
        .await;
    assert_eq!(run.code, 10);
    assert!(run.stderr.starts_with("SIRET : "), "{}", run.stderr);
    let run = office.run(PROGRAM, &service.address, &["edit"], None).await;
    assert_eq!(run.code, 2, "nothing to change");

    let machines = office
        .run(PROGRAM, &service.address, &["machines"], None)
        .await;
    assert_eq!(machines.code, 0);
    assert!(machines.stdout.contains("PORTABLE-08"));
    assert!(machines.stdout.contains("POSTE-07") && machines.stdout.contains("(this computer)"));

    let run = office
        .run(
            PROGRAM,
            &service.address,
            &["unlink", "--machine", &laptop_id],
            Some("AAAAA-AAAAA-AAAAA"),
        )
        .await;
    assert_eq!(run.code, 6);
    let run = office
        .run(
            PROGRAM,
            &service.address,
            &["unlink", "--machine", &laptop_id],
            Some(&password),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        laptop
            .run(PROGRAM, &service.address, &["status"], None)
            .await
            .code,
        3
    );
    let run = office
        .run(
            PROGRAM,
            &service.address,
            &["unlink", "--machine", &laptop_id],
            Some(&password),
        )
        .await;
    assert_eq!(run.code, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_password_and_refused_registration_fields() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-09");
    register(&service, &pc, "forgot@example.fr").await;
    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["request-password", "--email", "forgot@example.fr"],
            None,
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mail = service.smtp.wait_for_nth("forgot@example.fr", 2).await;
    let pending = mail.password().unwrap();
    assert_eq!(
        link(&service, &pc, "forgot@example.fr", &pending)
            .await
            .code,
        0
    );

    let mut args = REGISTER.to_vec();
    args.extend(["--email", "bad@example", "--siret", "123", "--json"]);
    let run = pc.run(PROGRAM, &service.address, &args, None).await;
    assert_eq!(run.code, 10);
    let fields: Vec<String> = run.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["email", "siret"]);
    let run = pc
        .run(PROGRAM, &service.address, &["request-password"], None)
        .await;
    assert_eq!(run.code, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_stopped_shows_the_last_known_data_marked_stale() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-10");
    let stranger = Machine::new("POSTE-11");
    let password = register(&service, &pc, "offline@example.fr").await;
    let linked = link(&service, &pc, "offline@example.fr", &password)
        .await
        .json();
    let customer_id = linked["account"]["customer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The address stays, and no longer answers.
    let address = service.address.clone();
    service.stop().await;

    let id = pc.run(PROGRAM, &address, &["id"], None).await;
    assert_eq!((id.code, id.stdout.as_str()), (5, customer_id.as_str()));
    assert!(
        id.stderr.starts_with("Service unreachable: data as of "),
        "{}",
        id.stderr
    );
    let status = pc
        .run(PROGRAM, &address, &["status", "--json"], None)
        .await
        .json();
    assert_eq!(status["stale"], true);
    assert_eq!(status["account"]["customer_id"], customer_id.as_str());

    // Changes need the service: a clear message, and the exit code says so.
    let run = pc.run(PROGRAM, &address, &["machines"], None).await;
    assert_eq!(run.code, 4);
    assert!(run.stderr.contains("does not answer"), "{}", run.stderr);
    // A machine that never linked is simply not linked.
    assert_eq!(
        stranger
            .run(PROGRAM, &address, &["status"], None)
            .await
            .code,
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_explains_itself() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-12");
    let help = pc.run(PROGRAM, &service.address, &["--help"], None).await;
    assert_eq!(help.code, 0);
    for expected in [
        "Exit codes",
        "--context",
        "register",
        "request-password",
        "unlink",
        "confirm-email",
        "cancel-email-change",
    ] {
        assert!(help.stdout.contains(expected), "--help lacks {expected}");
    }
    for command in [
        "id",
        "status",
        "register",
        "link",
        "request-password",
        "edit",
        "machines",
        "unlink",
        "confirm-email",
        "cancel-email-change",
    ] {
        let run = pc
            .run(PROGRAM, &service.address, &[command, "--help"], None)
            .await;
        assert_eq!(run.code, 0, "{command} --help");
        assert!(
            run.stdout.contains("Usage: customer-account"),
            "{command}: {}",
            run.stdout
        );
    }
    let run = pc
        .run(PROGRAM, &service.address, &["frobnicate"], None)
        .await;
    assert_eq!(run.code, 2);
}

/// Behind a corporate proxy: the usual proxy variable is honoured. The service's host
/// name does not even resolve here, so only the proxy can carry the request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_go_through_the_proxy_named_by_the_environment() {
    use std::io::{Read, Write};
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let seen = std::thread::spawn(move || {
        let (mut stream, _) = proxy.accept().unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            request.extend_from_slice(&buf[..n]);
        }
        stream
            .write_all(
                b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            )
            .unwrap();
        String::from_utf8_lossy(&request)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    });
    let pc = Machine::new("POSTE-13");
    let mut command = pc.command(
        PROGRAM,
        "http://accounts.invalid:8080",
        &["request-password", "--email", "proxy@example.fr"],
    );
    command
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    let run = finish(command, None).await;
    assert_eq!(
        seen.join().unwrap(),
        "POST http://accounts.invalid:8080/api/v1/password-requests HTTP/1.1"
    );
    // The proxy's own error page is not the service's: "cannot be reached".
    assert_eq!(run.code, 4, "{}", run.stderr);
}

/// Registering needs no credential store: a headless machine can still create the account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_works_without_a_credential_store() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-14");
    let mut args = REGISTER.to_vec();
    args.extend(["--email", "headless@example.fr"]);
    let mut command = pc.command(PROGRAM, &service.address, &args);
    command.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let run = finish(command, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    service.smtp.wait_for_nth("headless@example.fr", 1).await;
}

/// The code mailed to `address` (its `nth` mail).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_email_takes_effect_once_confirmed_with_the_mailed_code() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-15");
    let old = "ancienne@example.fr";
    let new = "nouvelle@example.fr";
    let password = register(&service, &pc, old).await;
    assert_eq!(link(&service, &pc, old, &password).await.code, 0);

    // Nothing waits for a code yet: said at once, without asking for one.
    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["confirm-email"],
            Some("ABCD-EFGH"),
        )
        .await;
    assert_eq!(run.code, 10, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("No change of e-mail address is waiting for confirmation"),
        "{}",
        run.stderr
    );

    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["edit", "--email", new, "--phone", "06 12 34 56 78"],
            Some(&password),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("Changes saved.\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!(
            "A confirmation code was sent to {new}. The account's address stays {old} until the code is entered: customer-account confirm-email"
        )),
        "{}",
        run.stdout
    );

    // Until then the account keeps its address, and says what waits.
    let status = pc.run(PROGRAM, &service.address, &["status"], None).await;
    assert!(
        status.stdout.contains(&format!(
            "New e-mail address waiting for confirmation: {new}"
        )),
        "{}",
        status.stdout
    );
    let status = pc
        .run(PROGRAM, &service.address, &["status", "--json"], None)
        .await
        .json();
    assert_eq!(status["account"]["details"]["email"], old);
    assert_eq!(status["account"]["details"]["phone"], "0612345678");
    assert_eq!(status["account"]["pending_email"], new);

    // A wrong code (from standard input, as a script gives it): refused, exit code 10.
    let code = service.smtp.code_mailed_to(new, 1).await;
    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["confirm-email"],
            Some(&wrong_code(&code)),
        )
        .await;
    assert_eq!(run.code, 10, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("Wrong or expired confirmation code."),
        "{}",
        run.stderr
    );
    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["confirm-email", "--json"],
            Some(&wrong_code(&code)),
        )
        .await;
    assert_eq!(run.code, 10);
    assert_eq!(run.json()["error"]["code"], "email_code_invalid");

    // The right one, typed loosely.
    let loose = code.to_lowercase().replace('-', " ");
    let run = pc
        .run(PROGRAM, &service.address, &["confirm-email"], Some(&loose))
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("The account's e-mail address is now {new}.")
    );
    let status = pc
        .run(PROGRAM, &service.address, &["status", "--json"], None)
        .await
        .json();
    assert_eq!(status["account"]["details"]["email"], new);
    assert!(status["account"].get("pending_email").is_none(), "{status}");
    // Used: it does not work twice.
    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["confirm-email", "--code", &code],
            None,
        )
        .await;
    assert_eq!(run.code, 10, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_change_is_cancelled_or_confirmed_with_the_code_option_in_french() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-16");
    let old = "compta@martin.fr";
    let first = "direction@martin.fr";
    let second = "gerant@martin.fr";
    let password = register(&service, &pc, old).await;
    assert_eq!(link(&service, &pc, old, &password).await.code, 0);

    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["edit", "--email", first, "--json"],
            Some(&password),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    let saved = run.json();
    assert_eq!(saved["confirmation_sent_to"], first);
    assert_eq!(saved["account"]["details"]["email"], old);

    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["cancel-email-change", "--lang", "fr"],
            None,
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("Le changement d'adresse e-mail vers {first} est annulé : l'adresse du compte reste {old}.")
    );
    let status = pc
        .run(PROGRAM, &service.address, &["status", "--json"], None)
        .await
        .json();
    assert!(status["account"].get("pending_email").is_none(), "{status}");
    // Idempotent.
    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["cancel-email-change", "--json"],
            None,
        )
        .await
        .json();
    assert_eq!(run["cancelled"], Value::Null);
    // The cancelled change's code no longer works.
    let code = service.smtp.code_mailed_to(first, 1).await;
    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["confirm-email", "--json"],
            Some(&code),
        )
        .await;
    assert_eq!(run.code, 10);
    assert_eq!(run.json()["error"]["code"], "no_email_change_pending");

    // Only the e-mail changes: no "saved" line, just the code.
    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["edit", "--email", second],
            Some(&password),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("A confirmation code was sent to {second}. The account's address stays {old} until the code is entered: customer-account confirm-email")
    );
    let status = pc
        .run(PROGRAM, &service.address, &["status", "--lang", "fr"], None)
        .await;
    assert!(
        status.stdout.contains(&format!(
            "Nouvelle adresse e-mail en attente de confirmation : {second}"
        )),
        "{}",
        status.stdout
    );
    let code = service.smtp.code_mailed_to(second, 1).await;
    let run = pc
        .run(
            PROGRAM,
            &service.address,
            &["confirm-email", "--code", &code, "--lang", "fr"],
            None,
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("L'adresse e-mail du compte est désormais {second}.")
    );
    // The new address is the account's now: the password links with it.
    let laptop = Machine::new("PORTABLE-17");
    assert_eq!(link(&service, &laptop, second, &password).await.code, 0);
}

/// A country the service does not know: refused (exit 10) with the field and its stable
/// code in JSON, and the message in the user's language otherwise; nothing is registered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_country_is_refused_with_its_field_and_code() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-18");
    let mut args = REGISTER.to_vec();
    args.extend([
        "--email",
        "pays@example.fr",
        "--street",
        "1 rue de la Paix",
        "--postal-code",
        "75002",
        "--city",
        "Paris",
        "--country",
        "ZZ",
    ]);
    let mut json_args = args.clone();
    json_args.push("--json");
    let run = pc.run(PROGRAM, &service.address, &json_args, None).await;
    assert_eq!(run.code, 10, "{}\n{}", run.stdout, run.stderr);
    let fields = run.json()["error"]["fields"].clone();
    assert!(
        fields
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "address.country" && f["code"] == "invalid_country"),
        "{fields}"
    );

    let run = pc.run(PROGRAM, &service.address, &args, None).await;
    assert_eq!(run.code, 10);
    assert!(run.stderr.contains("country"), "{}", run.stderr);
    let mut french = args.clone();
    french.extend(["--lang", "fr"]);
    let run = pc.run(PROGRAM, &service.address, &french, None).await;
    assert_eq!(run.code, 10);
    assert!(run.stderr.contains("Pays"), "{}", run.stderr);

    // Nothing was registered: no mail went out.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(service.smtp.mails_to("pays@example.fr").is_empty());
}

/// Another program holds the service's database longer than the service waits for it:
/// the service answers service_unavailable, and the program says the service cannot be
/// used right now (exit 4, as when unreachable); once released, the same command works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_whose_database_is_held_elsewhere_is_reported_unavailable() {
    let service = spawn_app().await;
    let pc = Machine::new("POSTE-19");
    let mut args = REGISTER.to_vec();
    args.extend(["--email", "verrou@example.fr", "--json"]);

    let lock = service.lock_database().await;
    let started = std::time::Instant::now();
    let run = pc.run(PROGRAM, &service.address, &args, None).await;
    let waited = started.elapsed();
    lock.release().await;
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    // The service answered after waiting for the database (5 s), not for want of a
    // connection.
    assert!(waited >= std::time::Duration::from_secs(4), "{waited:?}");
    let error = &run.json()["error"];
    assert_eq!(error["code"], "service_unreachable", "{error}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{error}"
    );

    let run = pc.run(PROGRAM, &service.address, &args, None).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    service.smtp.wait_for_nth("verrou@example.fr", 1).await;
}

/// A service that takes the connection but never answers (frozen, or a firewall that
/// swallows the reply): the program gives up after its wait (30 s) and says the service
/// does not answer (exit 4), rather than hanging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_never_answers_is_given_up_on_after_the_wait() {
    let frozen = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", frozen.local_addr().unwrap());
    std::thread::spawn(move || {
        // Keeps every connection open, unanswered.
        let held: Vec<_> = frozen.incoming().collect();
        drop(held);
    });
    let pc = Machine::new("POSTE-20");
    let mut args = REGISTER.to_vec();
    args.extend(["--email", "fige@example.fr", "--json"]);
    let started = std::time::Instant::now();
    let run = pc.run(PROGRAM, &address, &args, None).await;
    let waited = started.elapsed();
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["error"]["code"], "service_unreachable");
    assert!(
        waited >= std::time::Duration::from_secs(25),
        "gave up after {waited:?}"
    );
}

/// An administrator links several computers with one enrollment key: from a file, from
/// standard input, from the installer's preset (deleted once used); refused keys say why
/// in French; computers unseen for N days are listed, then unlinked in one step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enrollment_key_links_several_computers_and_stale_ones_are_unlinked() {
    let service = spawn_app().await;
    let email = "parc-cli@example.fr";
    let admin = Machine::new("ADMIN-01");
    let password = register(&service, &admin, email).await;
    assert_eq!(link(&service, &admin, email, &password).await.code, 0);
    let customer_id = admin
        .run(PROGRAM, &service.address, &["id"], None)
        .await
        .ok();
    let files = tempfile::tempdir().unwrap();
    let key_file = files.path().join("key.txt");
    let key_path = key_file.to_str().unwrap();

    let created = admin
        .run(
            PROGRAM,
            &service.address,
            &[
                "create-enrollment-key",
                "--label",
                "Salle 2",
                "--uses",
                "3",
                "--output",
                key_path,
            ],
            Some(&password),
        )
        .await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    let key = std::fs::read_to_string(&key_file)
        .unwrap()
        .trim()
        .to_owned();
    assert!(created.stdout.contains(&key), "{}", created.stdout);
    assert!(created
        .stdout
        .contains("customer-account link --enrollment-key-file FILE"));
    assert!(created.stdout.contains("/ENROLLMENTKEYFILE="));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the key file is for its owner only");
    }

    // From a file, and from standard input.
    let second = Machine::new("POSTE-02");
    let run = second
        .run(
            PROGRAM,
            &service.address,
            &["link", "--enrollment-key-file", key_path],
            None,
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(&customer_id), "{}", run.stdout);
    let third = Machine::new("POSTE-03");
    let run = third
        .run(
            PROGRAM,
            &service.address,
            &["link", "--enrollment-key-file", "-"],
            Some(&key),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        third
            .run(PROGRAM, &service.address, &["id"], None)
            .await
            .ok(),
        customer_id
    );

    // Never from an argument of its own.
    let run = third
        .run(
            PROGRAM,
            &service.address,
            &["link", "--enrollment-key", &key],
            None,
        )
        .await;
    assert_eq!(run.code, 2, "{}", run.stderr);

    // The installer's preset: the first start links, then the file is gone.
    let preset = files.path().join("enrollment-key.txt");
    std::fs::write(&preset, format!("{key}\r\n")).unwrap();
    let fourth = Machine::new("POSTE-04").with_enrollment_key_preset(&preset);
    let run = fourth.run(PROGRAM, &service.address, &["id"], None).await;
    assert_eq!(
        (run.code, run.stdout.trim()),
        (0, customer_id.as_str()),
        "{}",
        run.stderr
    );
    assert!(!preset.exists(), "the preset is deleted once used");

    // Used up, in French, with its own exit code.
    let fifth = Machine::new("POSTE-05");
    let run = fifth
        .run(
            PROGRAM,
            &service.address,
            &["link", "--enrollment-key-file", key_path, "--lang", "fr"],
            None,
        )
        .await;
    assert_eq!(run.code, 12, "{}", run.stderr);
    assert!(
        run.stderr.contains("Toutes les utilisations"),
        "{}",
        run.stderr
    );

    // Listed with its uses; then revoked, and a revoked key says so.
    let listed = admin
        .run(
            PROGRAM,
            &service.address,
            &["enrollment-keys", "--lang", "fr"],
            None,
        )
        .await
        .ok();
    assert!(
        listed.contains("« Salle 2 »") && listed.contains("épuisée"),
        "{listed}"
    );
    assert!(
        listed.contains("POSTE-02") && listed.contains("POSTE-04"),
        "{listed}"
    );
    assert!(!listed.contains(&key));
    let other = admin
        .run(
            PROGRAM,
            &service.address,
            &["create-enrollment-key", "--label", "Salle 3", "--json"],
            Some(&password),
        )
        .await
        .json();
    let id = other["enrollment_key"]["id"].as_i64().unwrap().to_string();
    let revoked = admin
        .run(
            PROGRAM,
            &service.address,
            &["revoke-enrollment-key", &id],
            None,
        )
        .await;
    assert_eq!(revoked.code, 0, "{}", revoked.stderr);
    let run = fifth
        .run(
            PROGRAM,
            &service.address,
            &["link", "--enrollment-key-file", "-"],
            Some(other["key"].as_str().unwrap()),
        )
        .await;
    assert_eq!(run.code, 12);
    assert!(run.stderr.contains("was revoked"), "{}", run.stderr);

    // POSTE-02 unseen for 40 days: listed first, then unlinked after the password.
    let second_id = second
        .run(PROGRAM, &service.address, &["status", "--json"], None)
        .await
        .json()["account"]["this_machine_id"]
        .as_str()
        .unwrap()
        .to_owned();
    service.last_seen_days_ago(&second_id, 40).await;
    let run = admin
        .run(
            PROGRAM,
            &service.address,
            &["unlink-stale", "--days", "30", "--yes"],
            Some(&password),
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("POSTE-02") && !run.stderr.contains("POSTE-03"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("1 computer(s) unlinked"),
        "{}",
        run.stdout
    );
    let gone = second.run(PROGRAM, &service.address, &["id"], None).await;
    assert_eq!(gone.code, 3, "{}", gone.stderr);
    let nothing = admin
        .run(
            PROGRAM,
            &service.address,
            &["unlink-stale", "--days", "30", "--yes"],
            None,
        )
        .await;
    assert!(
        nothing.stdout.contains("nothing to unlink"),
        "{}",
        nothing.stdout
    );
}

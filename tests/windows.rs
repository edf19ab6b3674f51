//! The Windows program, cross-built by scripts/build-windows.sh, run under Wine against
//! the real service on loopback, a real SMTP server and a recording proxy: the commands,
//! the Credential Manager, the machine identity from the registry, the data folder, the
//! system proxy, the console, and the installer.
//!
//! Ignored by a plain `cargo test` (they need the Windows build and Wine); the test
//! command runs them:
//! `CUSTOMER_ACCOUNT_WINDOWS_EXE=… CUSTOMER_ACCOUNT_WINDOWS_INSTALLER=… cargo test --test windows -- --ignored`

use std::path::{Path, PathBuf};

#[path = "windows/proxy.rs"]
mod proxy;
#[path = "windows/wine.rs"]
mod wine;

use proxy::RecordingProxy;
use test_support::service::{machine, spawn_app, TestApp};
use wine::Wine;

const INTERNET_SETTINGS: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings";
const CREDENTIAL_TARGET: &str = "customer-account";

async fn register_on(pc: &Wine, service: &TestApp, email: &str) -> String {
    let run = pc
        .run(
            &[
                "--service-url",
                &service.address,
                "register",
                "--email",
                email,
                "--company-name",
                "Dupont Bâtiment SARL",
                "--contact-first-name",
                "Ada",
                "--contact-last-name",
                "Martin",
                "--phone",
                "01 23 45 67 89",
            ],
            None,
        )
        .await;
    assert_eq!(run.code, 0, "register: {}{}", run.stdout, run.stderr);
    service
        .smtp
        .wait_for_nth(email, 1)
        .await
        .password()
        .expect("the mail gives the password")
}

async fn link_on(pc: &Wine, service: &TestApp, email: &str, password: &str) {
    let run = pc
        .run(
            &["--service-url", &service.address, "link", "--email", email],
            Some(password),
        )
        .await;
    assert_eq!(run.code, 0, "link: {}{}", run.stdout, run.stderr);
}

/// Every file under `dir` that holds `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                if let Ok(bytes) = std::fs::read(&path) {
                    if memchr::memmem::find(&bytes, needle.as_bytes()).is_some() {
                        found.push(path);
                    }
                }
            }
        }
    }
    found
}

/// The machine token the service handed out, read from the answers through the proxy.
fn token_in(answers: &[u8]) -> String {
    let text = String::from_utf8_lossy(answers);
    let start = text
        .find(r#""token":""#)
        .expect("a link answer went through the proxy")
        + 9;
    text[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
#[ignore = "needs the Windows build and Wine: see the file's comment"]
async fn the_commands_work_on_windows_with_the_credential_manager_and_the_system_proxy() {
    let service = spawn_app().await;
    let proxy = RecordingProxy::start().await;
    let pc = Wine::new("2b6c9f0e-5a1d-4c8e-9f3a-7d2e4b1c6a90").await;
    // The system proxy, as Internet Options sets it (the override is someone else's).
    for (name, kind, value) in [
        ("ProxyEnable", "REG_DWORD", "1".to_owned()),
        ("ProxyServer", "REG_SZ", format!("127.0.0.1:{}", proxy.port)),
        ("ProxyOverride", "REG_SZ", "*.intranet.example".to_owned()),
    ] {
        pc.reg(&[
            "add",
            INTERNET_SETTINGS,
            "/v",
            name,
            "/t",
            kind,
            "/d",
            &value,
            "/f",
        ])
        .await;
    }

    let email = "windows@example.fr";
    let password = register_on(&pc, &service, email).await;
    link_on(&pc, &service, email, &password).await;
    let through_proxy = proxy.requests();
    assert!(
        through_proxy
            .iter()
            .any(|r| r.starts_with("POST ") && r.contains("/api/v1/links")),
        "the link did not go through the system proxy: {through_proxy:?}"
    );

    // The token is in the Credential Manager, and in clear nowhere on the machine.
    let credentials = pc.credentials().await;
    assert!(credentials.contains(CREDENTIAL_TARGET), "{credentials}");
    let token = token_in(&proxy.answers());
    let leaks = files_containing(pc.prefix.path(), &token);
    assert!(leaks.is_empty(), "the token is in clear in {leaks:?}");

    // The data folder is under %LOCALAPPDATA%.
    let data = pc.local_app_data().join("com.customer-account.desktop");
    assert!(
        data.join("state.json").exists(),
        "no state.json in {}",
        data.display()
    );

    // id, status (human, JSON, French).
    let id = pc
        .run(&["--service-url", &service.address, "id"], None)
        .await;
    assert_eq!(id.code, 0, "{}", id.stderr);
    let customer_id = id.stdout.trim().to_owned();
    assert!(
        customer_id.len() >= 5 && customer_id.bytes().all(|b| b.is_ascii_digit()),
        "{customer_id}"
    );
    let status = pc
        .run(&["--service-url", &service.address, "status"], None)
        .await;
    assert_eq!(status.code, 0);
    assert!(
        status.stdout.contains("Dupont Bâtiment SARL"),
        "{}",
        status.stdout
    );
    let json = pc
        .run(
            &["--service-url", &service.address, "--json", "status"],
            None,
        )
        .await
        .json();
    assert_eq!(json["linked"], true);
    assert_eq!(json["account"]["customer_id"], customer_id.as_str());
    let french = pc
        .run(
            &["--service-url", &service.address, "--lang", "fr", "status"],
            None,
        )
        .await;
    assert!(french.stdout.contains("Numéro client"), "{}", french.stdout);

    // The proxy's exceptions are honoured: the service named there is reached directly.
    let seen = proxy.requests().len();
    pc.reg(&[
        "add",
        INTERNET_SETTINGS,
        "/v",
        "ProxyOverride",
        "/d",
        "127.0.0.1",
        "/f",
    ])
    .await;
    let direct = pc
        .run(&["--service-url", &service.address, "status"], None)
        .await;
    assert_eq!(direct.code, 0);
    assert_eq!(
        proxy.requests().len(),
        seen,
        "an excepted address went through the proxy"
    );

    // Unlink: the credential is gone; link again for the offline check.
    let unlink = pc
        .run(
            &["--service-url", &service.address, "unlink", "--yes"],
            None,
        )
        .await;
    assert_eq!(unlink.code, 0, "{}", unlink.stderr);
    assert!(!pc.credentials().await.contains(CREDENTIAL_TARGET));
    link_on(&pc, &service, email, &password).await;

    // The service stops: the last data, marked stale (exit 5).
    let address = service.address.clone();
    service.stop().await;
    let offline = pc.run(&["--service-url", &address, "status"], None).await;
    assert_eq!(offline.code, 5, "{}{}", offline.stdout, offline.stderr);
    assert!(
        offline.stdout.contains(&customer_id) || offline.stdout.contains("Dupont"),
        "{}",
        offline.stdout
    );
    let offline = pc
        .run(&["--service-url", &address, "--json", "status"], None)
        .await
        .json();
    assert_eq!(offline["stale"], true);
}

#[tokio::test]
#[ignore = "needs the Windows build and Wine: see the file's comment"]
async fn machines_are_told_apart_by_their_machine_guid_and_clones_are_flagged() {
    let service = spawn_app().await;
    let email = "clones@example.fr";
    let password = service.register_as(email, "Clones SARL", "fr").await;
    let (first, second, clone) = tokio::join!(
        Wine::new("11111111-2222-3333-4444-555555555555"),
        Wine::new("66666666-7777-8888-9999-000000000000"),
        // A PC made from the first one's disk image keeps its MachineGuid.
        Wine::new("11111111-2222-3333-4444-555555555555"),
    );
    for pc in [&first, &second, &clone] {
        link_on(pc, &service, email, &password).await;
    }
    let json = first
        .run(
            &["--service-url", &service.address, "--json", "status"],
            None,
        )
        .await
        .json();
    let machines = json["account"]["machines"].as_array().unwrap();
    assert_eq!(machines.len(), 3, "three machines: {machines:?}");
    let flagged = machines
        .iter()
        .filter(|m| m["shares_identity"] == true)
        .count();
    assert_eq!(
        flagged, 2,
        "the two sharing a MachineGuid are flagged: {machines:?}"
    );
}

#[tokio::test]
#[ignore = "needs the Windows build and Wine: see the file's comment"]
async fn the_installer_deploys_silently_with_the_preset_and_its_commands_use_the_console() {
    let service = spawn_app().await;
    let installer = PathBuf::from(
        std::env::var_os("CUSTOMER_ACCOUNT_WINDOWS_INSTALLER").expect(
            "CUSTOMER_ACCOUNT_WINDOWS_INSTALLER names the installer (scripts/package-windows.sh)",
        ),
    );
    let pc = Wine::new("0f0e0d0c-0b0a-0908-0706-050403020100").await;

    // The administrator made an enrollment key on a computer already linked.
    let email = "deployed@example.fr";
    let password = service.register_as(email, "Déployé SARL", "fr").await;
    let admin = service.link_ok(email, &password, &machine(1), None).await;
    let created: serde_json::Value = service
        .create_key(
            &admin.token,
            &serde_json::json!({ "password": password, "label": "Déploiement" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let key = created["key"].as_str().expect("the key, shown once");
    std::fs::write(pc.drive_c().join("key.txt"), format!("{key}\r\n")).unwrap();

    // A deployment tool's silent install, with the administrator's service address and
    // the key's file (never the key itself on the command line).
    let preset = format!("/SERVICEURL={}", service.address);
    let install = pc
        .run_program(
            &installer,
            &["/S", &preset, r"/ENROLLMENTKEYFILE=C:\key.txt"],
            None,
        )
        .await;
    assert_eq!(
        install.code, 0,
        "install: {}{}",
        install.stdout, install.stderr
    );
    let key_preset = pc
        .drive_c()
        .join("ProgramData/customer-account/enrollment-key.txt");
    assert!(key_preset.exists(), "the key is left for the first start");
    let folder = pc.drive_c().join("Program Files/Customer account");
    for file in [
        "customer-account.exe",
        "WebView2Loader.dll",
        "uninstall.exe",
    ] {
        assert!(folder.join(file).exists(), "{file} not installed");
    }
    let uninstall_key =
        r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\customer-account";
    let entry = pc
        .reg_query(uninstall_key)
        .await
        .expect("an Apps & features entry");
    for expected in [
        "Customer account",
        env!("CARGO_PKG_VERSION"),
        "Publisher",
        "uninstall.exe",
    ] {
        assert!(entry.contains(expected), "{expected} missing from {entry}");
    }
    let shortcut = pc
        .drive_c()
        .join("ProgramData/Microsoft/Windows/Start Menu/Programs/Customer account.lnk");
    assert!(shortcut.exists(), "no Start menu entry");
    let settings = pc
        .reg_query(r"HKLM\Software\customer-account")
        .await
        .unwrap_or_default();
    assert!(
        settings.contains(&service.address),
        "preset not stored: {settings}"
    );

    // The installed program answers, on the preset address (no --service-url here).
    let exe = folder.join("customer-account.exe");
    let version = pc.run_program(&exe, &["--version"], None).await;
    assert!(
        version.stdout.contains(env!("CARGO_PKG_VERSION")),
        "{}",
        version.stdout
    );
    // The first start links this computer with the key, then deletes it.
    let status = pc.run_program(&exe, &["status"], None).await;
    assert_eq!(
        status.code, 0,
        "linked by the key on first start: {}{}",
        status.stdout, status.stderr
    );
    assert!(status.stdout.contains("Déployé SARL"), "{}", status.stdout);
    assert!(!key_preset.exists(), "the key is deleted once used");
    let link = pc
        .run_program(&exe, &["link", "--email", email], Some(&password))
        .await;
    assert_eq!(
        link.code, 0,
        "relink with the password on the preset address: {}{}",
        link.stdout, link.stderr
    );

    // A GUI program for Windows (the window opens without a console)...
    let image = std::fs::read(&exe).unwrap();
    let pe = u32::from_le_bytes(image[0x3c..0x40].try_into().unwrap()) as usize;
    let subsystem = u16::from_le_bytes(image[pe + 0x5c..pe + 0x5e].try_into().unwrap());
    assert_eq!(subsystem, 2, "IMAGE_SUBSYSTEM_WINDOWS_GUI");
    // ...whose commands still answer in cmd.exe: redirected to a file, through a pipe,
    // and with their exit code.
    let installed = r"C:\Program Files\Customer account\customer-account.exe";
    let to_file = pc.cmd(&[installed, "id", ">", r"C:\id.txt"]).await;
    assert_eq!(to_file.code, 0, "{}", to_file.stderr);
    let id = std::fs::read_to_string(pc.drive_c().join("id.txt")).unwrap();
    assert!(
        id.trim().len() >= 5 && id.trim().bytes().all(|b| b.is_ascii_digit()),
        "{id:?}"
    );
    let piped = pc.cmd(&[installed, "id", "|", "more"]).await;
    assert!(piped.stdout.contains(id.trim()), "{}", piped.stdout);
    let not_linked = pc
        .cmd(&[installed, "--service-url", "http://127.0.0.1:9", "status"])
        .await;
    assert_eq!(
        not_linked.code, 3,
        "exit code through cmd: {}",
        not_linked.stdout
    );

    // A silent uninstall removes the program, its entries and the preset, and keeps the
    // user's link and data (a reinstall finds the computer linked).
    let uninstall = pc
        .run_program(&folder.join("uninstall.exe"), &["/S"], None)
        .await;
    assert_eq!(uninstall.code, 0);
    // The uninstaller runs from a copy of itself: wait for it to finish.
    let started = std::time::Instant::now();
    while folder.join("customer-account.exe").exists() {
        assert!(
            started.elapsed().as_secs() < 60,
            "the uninstaller left the program"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    while pc.reg_query(uninstall_key).await.is_some() {
        assert!(
            started.elapsed().as_secs() < 60,
            "the uninstaller left its entry"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(!shortcut.exists(), "the Start menu entry stayed");
    assert!(pc
        .reg_query(r"HKLM\Software\customer-account")
        .await
        .is_none_or(|s| !s.contains("ServiceUrl")));
    assert!(
        pc.credentials().await.contains(CREDENTIAL_TARGET),
        "the link went with the program"
    );
    assert!(pc
        .local_app_data()
        .join("com.customer-account.desktop/state.json")
        .exists());
}

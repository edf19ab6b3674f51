//! A Windows machine for the tests: a fresh Wine prefix with its own MachineGuid, running
//! the cross-built program (`CUSTOMER_ACCOUNT_WINDOWS_EXE`, from scripts/build-windows.sh).

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::OnceLock,
};

use test_support::program::{finish, Run};

const WINE: &str = "/usr/lib/wine/wine64";
const WINESERVER: &str = "/usr/lib/wine/wineserver";

/// The Windows program under test.
pub fn program() -> PathBuf {
    let path = std::env::var_os("CUSTOMER_ACCOUNT_WINDOWS_EXE")
        .map(PathBuf::from)
        .expect("CUSTOMER_ACCOUNT_WINDOWS_EXE names the Windows build (scripts/build-windows.sh)");
    assert!(path.exists(), "{} is missing", path.display());
    path
}

/// Built once per test run: the ProcessPrng stand-in (see processprng.c).
fn process_prng_shim() -> &'static Path {
    static SHIM: OnceLock<PathBuf> = OnceLock::new();
    SHIM.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("customer-account-shim-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dll = dir.join("bcryptprimitives.dll");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/windows/processprng.c");
        let status = std::process::Command::new("x86_64-w64-mingw32-gcc")
            .args(["-shared", "-O2", "-o"])
            .arg(&dll)
            .arg(&source)
            .status()
            .expect("mingw-w64 (scripts/build-windows.sh installs it)");
        assert!(status.success(), "the ProcessPrng shim does not build");
        dll
    })
}

/// A Windows installation of its own.
pub struct Wine {
    pub prefix: tempfile::TempDir,
}

impl Wine {
    /// A new prefix whose MachineGuid is `machine_guid` (clones share one).
    pub async fn new(machine_guid: &str) -> Self {
        let wine = Self {
            prefix: tempfile::tempdir().unwrap(),
        };
        let boot = wine
            .command(WINE)
            .args(["wineboot", "-i"])
            .output()
            .await
            .unwrap();
        assert!(
            boot.status.success(),
            "wineboot: {}",
            String::from_utf8_lossy(&boot.stderr)
        );
        let system32 = wine.prefix.path().join("drive_c/windows/system32");
        std::fs::copy(process_prng_shim(), system32.join("bcryptprimitives.dll")).unwrap();
        wine.reg(&[
            "add",
            r"HKLM\Software\Microsoft\Cryptography",
            "/v",
            "MachineGuid",
            "/d",
            machine_guid,
            "/f",
        ])
        .await;
        wine
    }

    fn command(&self, program: &str) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(program);
        command
            .env("WINEPREFIX", self.prefix.path())
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko: nothing to download, no dialog.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY");
        // This machine is the registry's, not the test process's.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("CUSTOMER_ACCOUNT_") {
                command.env_remove(name);
            }
        }
        command
    }

    /// `reg.exe` with `args`; panics if it fails.
    pub async fn reg(&self, args: &[&str]) -> String {
        let out = self
            .command(WINE)
            .arg("reg")
            .args(args)
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "reg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `reg query`, or `None` when the key does not exist.
    pub async fn reg_query(&self, key: &str) -> Option<String> {
        let out = self
            .command(WINE)
            .args(["reg", "query", key, "/s"])
            .output()
            .await
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs `program` (a Unix path to a Windows executable) with `args`, typing `stdin`
    /// and Enter first.
    pub async fn run_program(&self, program: &Path, args: &[&str], stdin: Option<&str>) -> Run {
        let mut command = self.command(WINE);
        command
            .arg(program)
            .args(args)
            .env("CUSTOMER_ACCOUNT_LANG", "en");
        finish(command, stdin).await
    }

    /// Runs the program under test.
    pub async fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_program(&program(), args, stdin).await
    }

    /// Runs a command line in Windows's own command interpreter (redirections, pipes,
    /// exit codes); each word is quoted as needed on its way to cmd.exe.
    pub async fn cmd(&self, words: &[&str]) -> Run {
        let mut command = self.command(WINE);
        command.args(["cmd", "/c"]).args(words);
        finish(command, None).await
    }

    /// C: as seen from Linux.
    pub fn drive_c(&self) -> PathBuf {
        self.prefix.path().join("drive_c")
    }

    /// %LOCALAPPDATA% of the prefix's user.
    pub fn local_app_data(&self) -> PathBuf {
        let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
        self.drive_c()
            .join("users")
            .join(user)
            .join("AppData/Local")
    }

    /// The Credential Manager's entries (Wine keeps them in the user's registry).
    pub async fn credentials(&self) -> String {
        self.reg_query(r"HKCU\Software\Wine\Credential Manager")
            .await
            .unwrap_or_default()
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        // The prefix's wineserver and anything left in it end with the test.
        let _ = std::process::Command::new(WINESERVER)
            .arg("-k")
            .env("WINEPREFIX", self.prefix.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

//! The shared local Sigstore stack (`../shared/tools/local-stack`) for the test steps of
//! `cargo xtask ci`: a real OpenID provider with a login page (127.0.0.1:19090) and without
//! (19091), sigstore-js's service mocks (18080), a python-tuf repository (18766), headless
//! Chromium and python-tuf for the tests that need them.
//!
//! Tests that need the stack read `SIGSTORE_STACK_DIR` (the stack's state folder, holding its
//! `node/node_modules` and `venv`): unset, they print that they are skipped; set, they must run.
//! `ci` sets it for its test steps, so in CI none is skipped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::{shared_dir, workspace_root};

/// The ports the stack listens on.
const PORTS: [u16; 4] = [19090, 19091, 18080, 18766];

/// A running stack; stopped (exactly the processes it started) when dropped.
pub(crate) struct Stack {
    state: PathBuf,
    script: PathBuf,
}

impl Stack {
    /// Installs what the stack needs (once; npm, pip and Debian packages) and starts it with
    /// its state in `target/local-stack`.
    pub(crate) fn start() -> Result<Self> {
        let script = shared_dir()
            .join("tools/local-stack/local_stack.sh")
            .canonicalize()
            .context("../shared/tools/local-stack/local_stack.sh (set SIGSTORE_SHARED_DIR)")?;
        let state = workspace_root().join("target").join("local-stack");
        std::fs::create_dir_all(&state).with_context(|| format!("creating {}", state.display()))?;
        let state = state.canonicalize()?;
        for port in PORTS {
            if TcpStream::connect_timeout(
                &([127, 0, 0, 1], port).into(),
                Duration::from_millis(300),
            )
            .is_ok()
            {
                bail!(
                    "127.0.0.1:{port} is already in use: stop the other local stack first \
                     (STATE=DIR {} stop)",
                    script.display()
                );
            }
        }
        if !installed(&state) {
            eprintln!("==> local stack: installing (npm, pip, Debian chromium)");
            let output = Command::new("bash")
                .arg(&script)
                .arg("setup")
                .env("STATE", &state)
                .output()
                .context("running local_stack.sh setup")?;
            if !output.status.success() || !installed(&state) {
                eprintln!("{}", String::from_utf8_lossy(&output.stdout));
                eprintln!("{}", String::from_utf8_lossy(&output.stderr));
                bail!("installing the local stack failed");
            }
        }
        eprintln!("==> local stack: starting");
        let stack = Self { state, script };
        let status = Command::new("bash")
            .arg(&stack.script)
            .arg("start")
            .env("STATE", &stack.state)
            .status()
            .context("running local_stack.sh start")?;
        if !status.success() {
            bail!(
                "starting the local stack failed (logs in {})",
                stack.state.display()
            );
        }
        for port in PORTS {
            if TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(2))
                .is_err()
            {
                bail!(
                    "the local stack is not listening on 127.0.0.1:{port} (logs in {})",
                    stack.state.display()
                );
            }
        }
        Ok(stack)
    }

    /// The state folder, for `SIGSTORE_STACK_DIR`.
    pub(crate) fn dir(&self) -> &Path {
        &self.state
    }

    /// The stack's tools folder (beside `local_stack.sh`), for `SIGSTORE_STACK_TOOLS`.
    pub(crate) fn tools(&self) -> &Path {
        self.script.parent().unwrap_or(&self.state)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        eprintln!("==> local stack: stopping");
        let _ = Command::new("bash")
            .arg(&self.script)
            .arg("stop")
            .env("STATE", &self.state)
            .status();
    }
}

/// Whether `local_stack.sh setup` has been run into `state` (and Chromium is installed).
fn installed(state: &Path) -> bool {
    let node = state.join("node/node_modules");
    ["oidc-provider", "puppeteer-core", "@sigstore/mock"]
        .iter()
        .all(|m| node.join(m).join("package.json").is_file())
        && Command::new(state.join("venv/bin/python"))
            .args(["-c", "import tuf, cryptography"])
            .output()
            .is_ok_and(|o| o.status.success())
        && Path::new("/usr/bin/chromium").is_file()
}

//! Lays out the `sigstore` binary's code for a fast start.
//!
//! `link/symbol-order.txt` lists the functions a one-bundle `sigstore verify` runs (written by
//! `cargo xtask symbol-order`). Linked first and side by side, they fill a dozen pages of code
//! instead of being spread over the whole binary, so a cold start takes fewer page faults.
//!
//! The order is passed to the linker only when the linker takes it: a tiny program is linked
//! with the same options first (LLD, which Rust uses on x86_64 Linux, and mold do; GNU ld does
//! not). Names the file lists that the build does not define (another compiler, other
//! dependency versions) are skipped without a warning. Either way only the layout changes,
//! never the code. `SIGSTORE_NO_SYMBOL_ORDER=1` turns it off.

use std::env;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const ORDER_FILE: &str = "link/symbol-order.txt";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={ORDER_FILE}");
    println!("cargo:rerun-if-env-changed=SIGSTORE_NO_SYMBOL_ORDER");
    if env::var_os("SIGSTORE_NO_SYMBOL_ORDER").is_some_and(|v| !v.is_empty() && v != "0") {
        return;
    }
    // Debug builds are not about start-up time; skip the probe there.
    if env::var("OPT_LEVEL").is_ok_and(|level| level == "0") {
        return;
    }
    let Some(manifest_dir) = env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from) else {
        return;
    };
    let order = manifest_dir.join(ORDER_FILE);
    let Some(order_path) = order.to_str().filter(|p| !p.contains(',')) else {
        return; // `-Wl,` would split the path at a comma
    };
    if !order.is_file() {
        return;
    }
    let args = [
        format!("-Wl,--symbol-ordering-file={order_path}"),
        "-Wl,--no-warn-symbol-ordering".to_owned(),
    ];
    if linker_accepts(&args) {
        for arg in &args {
            println!("cargo:rustc-link-arg-bin=sigstore={arg}");
        }
    }
}

/// Whether a program linked for the target with `link_args` (and the build's own linker and
/// flags) links.
fn linker_accepts(link_args: &[String]) -> bool {
    let (Some(rustc), Some(out_dir), Ok(target)) = (
        env::var_os("RUSTC"),
        env::var_os("OUT_DIR").map(PathBuf::from),
        env::var("TARGET"),
    ) else {
        return false;
    };
    let source = out_dir.join("symbol_order_probe.rs");
    if std::fs::write(&source, "fn main() {}\n").is_err() {
        return false;
    }
    let mut cmd = Command::new(rustc);
    cmd.args(["--crate-name", "symbol_order_probe", "--crate-type", "bin"])
        .args(["--edition", "2021", "--target", &target])
        .arg("-o")
        .arg(out_dir.join(exe_name("symbol_order_probe")))
        .arg(&source);
    if let Some(linker) = env::var_os("RUSTC_LINKER") {
        let mut arg = OsString::from("linker=");
        arg.push(&linker);
        cmd.arg("-C").arg(arg);
    }
    if let Ok(flags) = env::var("CARGO_ENCODED_RUSTFLAGS") {
        cmd.args(flags.split('\x1f').filter(|flag| !flag.is_empty()));
    }
    for arg in link_args {
        cmd.arg("-C").arg(format!("link-arg={arg}"));
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn exe_name(stem: &str) -> String {
    let suffix =
        env::var("CARGO_CFG_TARGET_OS").map_or("", |os| if os == "windows" { ".exe" } else { "" });
    format!("{stem}{suffix}")
}

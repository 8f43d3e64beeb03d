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
//!
//! Relative relocations are packed (`-z pack-relative-relocs`, the DT_RELR format) when the
//! linker takes it and a program linked so runs here: the loader reads a few kilobytes of
//! relocations instead of 400, so the start takes fewer page faults. A packed binary needs
//! glibc 2.36 or later where it runs, so the probe program is run, not only linked, and a
//! cross build (host and target differ) keeps the classic format. `SIGSTORE_NO_RELR=1` turns
//! it off.

use std::env;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const ORDER_FILE: &str = "link/symbol-order.txt";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={ORDER_FILE}");
    println!("cargo:rerun-if-env-changed=SIGSTORE_NO_SYMBOL_ORDER");
    println!("cargo:rerun-if-env-changed=SIGSTORE_NO_RELR");
    // Debug builds are not about start-up time; skip the probes there.
    if env::var("OPT_LEVEL").is_ok_and(|level| level == "0") {
        return;
    }
    if !turned_off("SIGSTORE_NO_SYMBOL_ORDER") {
        symbol_order();
    }
    if !turned_off("SIGSTORE_NO_RELR") {
        packed_relocations();
    }
}

fn turned_off(variable: &str) -> bool {
    env::var_os(variable).is_some_and(|v| !v.is_empty() && v != "0")
}

fn symbol_order() {
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
    if linker_accepts("symbol_order_probe", &args, false) {
        pass_to_linker(&args);
    }
}

fn packed_relocations() {
    let native = env::var("HOST")
        .ok()
        .is_some_and(|host| env::var("TARGET").ok() == Some(host));
    let linux = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if !(native && linux) {
        return;
    }
    let args = ["-Wl,-z,pack-relative-relocs".to_owned()];
    if linker_accepts("relr_probe", &args, true) {
        pass_to_linker(&args);
    }
}

fn pass_to_linker(args: &[String]) {
    for arg in args {
        println!("cargo:rustc-link-arg-bin=sigstore={arg}");
    }
}

/// Whether a program linked for the target with `link_args` (and the build's own linker and
/// flags) links, and with `run`, also runs (exits 0).
fn linker_accepts(name: &str, link_args: &[String], run: bool) -> bool {
    let (Some(rustc), Some(out_dir), Ok(target)) = (
        env::var_os("RUSTC"),
        env::var_os("OUT_DIR").map(PathBuf::from),
        env::var("TARGET"),
    ) else {
        return false;
    };
    let source = out_dir.join(format!("{name}.rs"));
    // Something to relocate: a formatted line goes through vtables.
    let program = "fn main() { let n = std::env::args().count(); print!(\"{}\", n - 1); }\n";
    if std::fs::write(&source, program).is_err() {
        return false;
    }
    let binary = out_dir.join(exe_name(name));
    let mut cmd = Command::new(rustc);
    cmd.args(["--crate-name", name, "--crate-type", "bin"])
        .args(["--edition", "2021", "--target", &target])
        .arg("-o")
        .arg(&binary)
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
    let linked = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !(linked && run) {
        return linked;
    }
    Command::new(&binary)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|output| output.status.success() && output.stdout == b"0")
}

fn exe_name(stem: &str) -> String {
    let suffix =
        env::var("CARGO_CFG_TARGET_OS").map_or("", |os| if os == "windows" { ".exe" } else { "" });
    format!("{stem}{suffix}")
}

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
//!
//! The unwinder (`_Unwind_*`, used by backtraces) is linked from GCC's static `libgcc_eh.a`
//! instead of the shared `libgcc_s.so.1`, as `gcc -static-libgcc` does, when a program linked
//! so runs here: loading that library and running its constructor (which asks the CPU what it
//! supports, instructions that trap to the hypervisor in a virtual machine) cost a cold start
//! about 150 µs on the development VM. `SIGSTORE_NO_STATIC_UNWINDER=1` turns it off.

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
    println!("cargo:rerun-if-env-changed=SIGSTORE_NO_STATIC_UNWINDER");
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
    if !turned_off("SIGSTORE_NO_STATIC_UNWINDER") {
        static_unwinder();
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
    if linker_accepts("symbol_order_probe", &link_args(&args), false) {
        pass_to_linker(&args);
    }
}

/// The rustc flags that pass `args` to the linker.
fn link_args(args: &[String]) -> Vec<String> {
    args.iter().map(|arg| format!("-Clink-arg={arg}")).collect()
}

/// Whether the build is for the machine it runs on (so a probe program can run here).
fn native_build() -> bool {
    env::var("HOST")
        .ok()
        .is_some_and(|host| env::var("TARGET").ok() == Some(host))
}

fn packed_relocations() {
    let linux = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if !(native_build() && linux) {
        return;
    }
    let args = ["-Wl,-z,pack-relative-relocs".to_owned()];
    if linker_accepts("relr_probe", &link_args(&args), true) {
        pass_to_linker(&args);
    }
}

fn static_unwinder() {
    let linux_gnu = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux")
        && env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|target_env| target_env == "gnu");
    // A fully static build (`crt-static`) links `libgcc_eh.a` already.
    let crt_static = env::var("CARGO_CFG_TARGET_FEATURE")
        .is_ok_and(|features| features.split(',').any(|f| f == "crt-static"));
    if !(native_build() && linux_gnu) || crt_static {
        return;
    }
    // Named on the command line (not as a link argument, which comes after every library),
    // it is searched before the standard library's `-lgcc_s`, which `--as-needed` then drops.
    let library = "static:-bundle=gcc_eh";
    if linker_accepts(
        "unwinder_probe",
        &["-l".to_owned(), library.to_owned()],
        true,
    ) {
        println!("cargo:rustc-link-lib={library}");
    }
}

fn pass_to_linker(args: &[String]) {
    for arg in args {
        println!("cargo:rustc-link-arg-bin=sigstore={arg}");
    }
}

/// Whether a program built for the target with the rustc flags `extra` (and the build's own
/// linker and flags) links, and with `run`, also runs (exits 0).
fn linker_accepts(name: &str, extra: &[String], run: bool) -> bool {
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
    cmd.args(extra);
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

//! `cargo xtask symbol-order`: writes `crates/sigstore-cli/link/symbol-order.txt`, the functions
//! a one-bundle `sigstore verify identity --offline` runs, which the CLI's build script hands to
//! the linker so that they are laid out side by side.
//!
//! How: builds the release `sigstore` binary, runs it under `valgrind --tool=callgrind` on the
//! production happy-path conformance bundles (the bench's corpus), and keeps every function
//! callgrind saw that the binary defines (`nm`). The file lists linker symbol names, one per
//! line, sorted: they are stable across edits of a function's body, and change with the
//! compiler, the dependency versions (Cargo.lock) or a function's path. A name the build does
//! not define is skipped by the linker, so a stale file only costs start-up time;
//! `--check` reports how much of the file the current build still defines.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::workspace_root;

/// The bundles profiled: those of the bench's corpus.
const CASES: [&str; 4] = [
    "happy-path-v0.1",
    "happy-path-v0.2",
    "happy-path-v0.3",
    "happy-path-v0.3-new-mediaType",
];

const HEADER: &str =
    "# Functions a one-bundle `sigstore verify identity --offline` runs, linked first \
                      (crates/sigstore-cli/build.rs).\n# Written by `cargo xtask symbol-order`; \
                      do not edit.\n";

/// Options of `cargo xtask symbol-order`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  cargo xtask symbol-order\n  cargo xtask symbol-order --check")]
pub(crate) struct Args {
    /// Only report how many of the file's names the current release build defines (fails
    /// below 90%).
    #[arg(long)]
    check: bool,
}

/// The order file's path.
fn order_file() -> PathBuf {
    workspace_root().join("crates/sigstore-cli/link/symbol-order.txt")
}

pub(crate) fn run(args: &Args) -> Result<()> {
    let binary = crate::bench::build_cli()?;
    if args.check {
        let (found, listed) = report_coverage(&binary)?;
        if listed == 0 || found * 10 < listed * 9 {
            bail!("the symbol order is stale: run `cargo xtask symbol-order`");
        }
        return Ok(());
    }
    let cases = sigstore_test_support::conformance_cases();
    let artifact = cases.join("a.txt");
    let scratch = workspace_root().join("target/symbol-order");
    std::fs::create_dir_all(&scratch).context("creating target/symbol-order")?;
    let mut executed = BTreeSet::new();
    for case in CASES {
        let bundle = cases.join(case).join("bundle.sigstore.json");
        let out = scratch.join(format!("{case}.callgrind"));
        eprintln!("==> callgrind: sigstore verify identity ({case})");
        let status = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg("--demangle=no")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(&binary)
            .args(crate::bench::verify_args(&artifact, &bundle))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .context("running valgrind (install it: apt-get install valgrind)")?;
        if !status.success() {
            bail!("sigstore verify identity under callgrind failed on {case} ({status})");
        }
        let text =
            std::fs::read_to_string(&out).with_context(|| format!("reading {}", out.display()))?;
        executed.extend(callgrind_functions(&text));
    }
    let defined = defined_functions(&binary)?;
    let ordered: Vec<&String> = executed.iter().filter(|f| defined.contains(*f)).collect();
    if ordered.is_empty() {
        bail!("callgrind saw none of the binary's functions (is it stripped?)");
    }
    let mut text = String::from(HEADER);
    for name in &ordered {
        text.push_str(name);
        text.push('\n');
    }
    let path = order_file();
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
        .context("creating the link folder")?;
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    println!(
        "wrote {}: {} functions",
        path.strip_prefix(workspace_root())
            .unwrap_or(&path)
            .display(),
        ordered.len()
    );
    Ok(())
}

/// Prints, and returns, how many of the order file's names `binary` defines and how many it
/// lists.
pub(crate) fn report_coverage(binary: &Path) -> Result<(usize, usize)> {
    let (found, listed) = coverage(&order_file(), &defined_functions(binary)?)?;
    eprintln!("==> symbol order: {found} of {listed} listed functions are in this build");
    match packed_relocations(binary) {
        Ok(true) => eprintln!("==> relocations: packed (DT_RELR)"),
        Ok(false) => eprintln!("==> relocations: not packed (the build script's probe said no)"),
        Err(e) => eprintln!("==> relocations: unknown ({e:#})"),
    }
    match binutils("readelf", "-dW", binary).map(|text| needs_libgcc_s(&text)) {
        Ok(false) => eprintln!("==> unwinder: linked in (no libgcc_s.so.1 to load)"),
        Ok(true) => eprintln!("==> unwinder: libgcc_s.so.1 (the build script's probe said no)"),
        Err(e) => eprintln!("==> unwinder: unknown ({e:#})"),
    }
    Ok((found, listed))
}

/// Whether `readelf -d` output names `libgcc_s` among the libraries a binary needs.
fn needs_libgcc_s(dynamic: &str) -> bool {
    dynamic
        .lines()
        .any(|line| line.contains("(NEEDED)") && line.contains("[libgcc_s."))
}

/// Whether `binary` has a `.relr.dyn` section (relative relocations packed, DT_RELR).
fn packed_relocations(binary: &Path) -> Result<bool> {
    let text = binutils("readelf", "-SW", binary)?;
    Ok(text.split_whitespace().any(|word| word == ".relr.dyn"))
}

/// The standard output of binutils' `tool option binary`.
fn binutils(tool: &str, option: &str, binary: &Path) -> Result<String> {
    let output = Command::new(tool)
        .arg(option)
        .arg(binary)
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {tool} (install binutils)"))?;
    if !output.status.success() {
        bail!("{tool} {} failed ({})", binary.display(), output.status);
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// How many of the names listed in `file` are in `defined`, and how many it lists.
fn coverage(file: &Path, defined: &BTreeSet<String>) -> Result<(usize, usize)> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let names: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    let found = names.iter().filter(|name| defined.contains(**name)).count();
    Ok((found, names.len()))
}

/// The names of the functions `binary` defines, as `nm` lists them.
fn defined_functions(binary: &Path) -> Result<BTreeSet<String>> {
    Ok(nm_functions(&binutils("nm", "--defined-only", binary)?))
}

/// The text symbols of `nm` output (`ADDRESS TYPE NAME`, types `t`, `T`, `w`, `W`).
fn nm_functions(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let (_, kind, name) = (parts.next()?, parts.next()?, parts.next()?);
            matches!(kind, "t" | "T" | "w" | "W").then(|| name.to_owned())
        })
        .collect()
}

/// The function names in a callgrind output file written with `--demangle=no`: callgrind names
/// each function once, on the first `fn=(ID) NAME` or `cfn=(ID) NAME` line that uses its ID,
/// and may add a `'N` suffix for recursion levels.
fn callgrind_functions(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("fn=(")
                .or_else(|| line.strip_prefix("cfn=("))?;
            let (_, name) = rest.split_once(") ")?;
            let name = name.split('\'').next()?.trim();
            (!name.is_empty()).then(|| name.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_libgcc_s_among_needed_libraries() {
        let linked_in = " 0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]\n \
                         0x000000000000001e (FLAGS)              BIND_NOW\n";
        assert!(!needs_libgcc_s(linked_in));
        let shared = " 0x0000000000000001 (NEEDED)             Shared library: [libgcc_s.so.1]\n \
                      0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]\n";
        assert!(needs_libgcc_s(shared));
    }

    #[test]
    fn reads_callgrind_names() {
        let text = "fn=(1) _ZN4main17h0123456789abcdefE\ncalls=1 0\ncfn=(2) memcpy'2\n\
                    fn=(1)\ncfn=(3)\nfn=(4) 0x0000000000001050\n";
        let names = callgrind_functions(text);
        let want: BTreeSet<String> = [
            "_ZN4main17h0123456789abcdefE",
            "memcpy",
            "0x0000000000001050",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(names, want);
    }

    #[test]
    fn reads_nm_text_symbols() {
        let text = "0000000000001000 T main\n0000000000002000 t local_fn\n\
                    0000000000003000 D some_data\n0000000000004000 W weak_fn\n\
                    0000000000005000 r ro\n";
        let names: Vec<String> = nm_functions(text).into_iter().collect();
        assert_eq!(names, ["local_fn", "main", "weak_fn"]);
    }

    #[test]
    fn coverage_skips_comments() {
        let dir = std::env::temp_dir().join(format!("xtask-order-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("order.txt");
        std::fs::write(&file, "# header\nmain\n\ngone\nlocal_fn\n").unwrap();
        let defined: BTreeSet<String> = ["main", "local_fn", "other"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(coverage(&file, &defined).unwrap(), (2, 3));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

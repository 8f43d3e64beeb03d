//! sigstore-python 4.5 command lines, data-driven: every `*.json` table in
//! `tests/data/python-lines/` holds cases (see its README.md for the format). Each case runs
//! one `sigstore` command line, as sigstore-python spells it, against the testkit services
//! (one instance for all cases) in a scratch directory, and checks what sigstore-python
//! would do: the exit status, key stderr/stdout text, and the files written and not written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod sign_common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;
use sign_common::*;

/// The case tables.
fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/python-lines")
}

/// One case of a table.
struct Case {
    /// `table.json: name`.
    name: String,
    value: Value,
}

fn load_cases() -> Vec<Case> {
    let mut tables: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("read python-lines")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    tables.sort();
    let mut cases = Vec::new();
    for table in tables {
        let text = std::fs::read_to_string(&table).expect("read table");
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", table.display()));
        let file = table.file_name().unwrap().to_string_lossy().into_owned();
        for case in value["cases"].as_array().expect("a `cases` array") {
            let name = case["name"].as_str().expect("a case name");
            cases.push(Case {
                name: format!("{file}: {name}"),
                value: case.clone(),
            });
        }
    }
    cases
}

/// Everything a case may name with `{placeholder}`.
struct Places {
    map: BTreeMap<&'static str, String>,
}

impl Places {
    fn new(env: &Env, dir: &Path) -> Self {
        let conformance = sigstore_test_support::conformance_cases();
        let mut map = BTreeMap::new();
        map.insert("dir", dir.display().to_string());
        map.insert("trust_config", env.trust_config.display().to_string());
        map.insert("trusted_root", env.root.display().to_string());
        map.insert("signing_config", env.config_v1.display().to_string());
        map.insert("signing_config_v2", env.config_v2.display().to_string());
        map.insert("email", EMAIL.to_owned());
        map.insert("issuer", env.issuer());
        map.insert("conformance", conformance.display().to_string());
        map.insert("conformance_identity", IDENTITY.to_owned());
        map.insert("conformance_issuer", ISSUER.to_owned());
        let tuf_root = sigstore_test_support::tuf_production_repo().join("metadata/15.root.json");
        map.insert("tuf_root", tuf_root.display().to_string());
        Self { map }
    }

    fn fill(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (key, value) in &self.map {
            out = out.replace(&format!("{{{key}}}"), value);
        }
        out
    }
}

fn strings(value: &Value, places: &Places) -> Vec<String> {
    value.as_array().map_or_else(Vec::new, |items| {
        items
            .iter()
            .map(|item| places.fill(item.as_str().expect("a string")))
            .collect()
    })
}

/// Runs the setup steps of a case in `dir`, in order.
fn setup(env: &Env, case: &Value, dir: &Path, places: &Places) -> Result<(), String> {
    for step in case["setup"].as_array().into_iter().flatten() {
        if file_step(step, dir, places)? {
            continue;
        } else if let Some(name) = step["sign"].as_str() {
            // Signed now by the testkit (Rekor v1, or v2 with `"rekor_v2": true`), in `dir`:
            // `bundle` names the bundle; `args` adds sign options (e.g. detached outputs).
            let config = if step["rekor_v2"].as_bool().unwrap_or(false) {
                &env.config_v2
            } else {
                &env.config_v1
            };
            let mut args = vec![
                "sign".to_owned(),
                "--trusted-root".to_owned(),
                env.root.display().to_string(),
                "--signing-config".to_owned(),
                config.display().to_string(),
                "--overwrite".to_owned(),
            ];
            if let Some(bundle) = step["bundle"].as_str() {
                args.extend(["--bundle".to_owned(), bundle.to_owned()]);
            }
            args.extend(strings(&step["args"], places));
            args.push(name.to_owned());
            let mut cmd = env.cmd();
            cmd.current_dir(dir)
                .env("SIGSTORE_IDENTITY_TOKEN", env.token());
            let r = run(cmd, &args);
            if r.code != Some(0) {
                return Err(format!("setup signing failed: {r:#?}"));
            }
        } else if let Some(name) = step["edit"].as_str() {
            // Removes the members named by JSON pointers (`remove`) from a JSON file.
            let path = dir.join(name);
            let mut value = read_json(&path);
            for pointer in step["remove"].as_array().ok_or("edit without `remove`")? {
                let pointer = pointer.as_str().ok_or("a JSON pointer")?;
                let (parent, key) = pointer.rsplit_once('/').ok_or("a JSON pointer")?;
                value
                    .pointer_mut(parent)
                    .and_then(Value::as_object_mut)
                    .and_then(|object| object.remove(key))
                    .ok_or_else(|| format!("{name}: nothing at {pointer}"))?;
            }
            std::fs::write(&path, value.to_string()).map_err(|e| e.to_string())?;
        } else if let Some(name) = step["duplicate_entry"].as_str() {
            // A second copy of the first log entry (a bundle with two entries).
            let path = dir.join(name);
            let mut value = read_json(&path);
            let entries = value
                .pointer_mut("/verificationMaterial/tlogEntries")
                .and_then(Value::as_array_mut)
                .ok_or_else(|| format!("{name}: no tlogEntries"))?;
            let copy = entries.first().cloned().ok_or("no entry to copy")?;
            entries.push(copy);
            std::fs::write(&path, value.to_string()).map_err(|e| e.to_string())?;
        } else {
            return Err(format!("unknown setup step {step}"));
        }
    }
    Ok(())
}

/// Runs one case; `Err` says what differs from sigstore-python's outcome.
fn run_case(env: &Env, case: &Value) -> Result<(), String> {
    let scratch = TempDir::new("python-line");
    let dir = scratch.path();
    let places = Places::new(env, dir);
    setup(env, case, dir, &places)?;
    let before = listing(dir);
    let contents: BTreeMap<String, Vec<u8>> = before
        .iter()
        .filter_map(|name| Some((name.clone(), std::fs::read(dir.join(name)).ok()?)))
        .collect();

    let mut cmd = env.cmd();
    cmd.current_dir(dir);
    if case["token"].as_bool().unwrap_or(false) {
        cmd.env("SIGSTORE_IDENTITY_TOKEN", env.token());
    }
    for (name, value) in case["env"].as_object().into_iter().flatten() {
        cmd.env(
            name,
            places.fill(value.as_str().ok_or("env values are strings")?),
        );
    }
    let args = strings(&case["args"], &places);
    let r = run(cmd, &args);

    let expect = &case["expect"];
    let mut problems = Vec::new();
    let code = expect["code"].as_i64().ok_or("expect.code is required")?;
    if r.code != Some(code as i32) {
        problems.push(format!("exit status {:?}, expected {code}", r.code));
    }
    if r.stderr.contains("panicked") {
        problems.push("panicked".to_owned());
    }
    for text in strings(&expect["stderr"], &places) {
        if !r.stderr.contains(&text) {
            problems.push(format!("stderr lacks {text:?}"));
        }
    }
    for text in strings(&expect["stderr_not"], &places) {
        if r.stderr.contains(&text) {
            problems.push(format!("stderr has {text:?}"));
        }
    }
    // Text that may be on either stream (sigstore-python prints `OK:` on stderr).
    for text in strings(&expect["output"], &places) {
        if !r.stdout.contains(&text) && !r.stderr.contains(&text) {
            problems.push(format!("output lacks {text:?}"));
        }
    }
    for (name, texts) in expect["file_contains"].as_object().into_iter().flatten() {
        let content = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        for text in strings(texts, &places) {
            if !content.contains(&text) {
                problems.push(format!("{name} lacks {text:?}"));
            }
        }
    }
    for text in strings(&expect["stdout"], &places) {
        if !r.stdout.contains(&text) {
            problems.push(format!("stdout lacks {text:?}"));
        }
    }
    for text in strings(&expect["stdout_not"], &places) {
        if r.stdout.contains(&text) {
            problems.push(format!("stdout has {text:?}"));
        }
    }
    for name in strings(&expect["written"], &places) {
        if before.contains(&name) || !dir.join(&name).exists() {
            problems.push(format!("{name} was not written"));
        }
    }
    for name in strings(&expect["not_written"], &places) {
        if !before.contains(&name) && dir.join(&name).exists() {
            problems.push(format!("{name} was written"));
        }
    }
    if let Some(only) = expect["only_written"].as_array() {
        let mut expected: Vec<String> = strings(&Value::Array(only.clone()), &places);
        expected.sort();
        let written: Vec<String> = listing(dir)
            .into_iter()
            .filter(|name| !before.contains(name))
            .collect();
        if written != expected {
            problems.push(format!("wrote {written:?}, expected {expected:?}"));
        }
    }
    for name in strings(&expect["unchanged"], &places) {
        let now = std::fs::read(dir.join(&name)).ok();
        if now.as_ref() != contents.get(&name) {
            problems.push(format!("{name} changed"));
        }
    }
    // A follow-up command (e.g. verify what was written) and its exit status.
    if case["then"].is_object() && problems.is_empty() {
        let then = &case["then"];
        let mut cmd = env.cmd();
        cmd.current_dir(dir);
        let r = run(cmd, strings(&then["args"], &places));
        let code = then["code"].as_i64().ok_or("then.code is required")?;
        if r.code != Some(code as i32) {
            problems.push(format!(
                "then: exit status {:?}, expected {code}: {r:#?}",
                r.code
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n{r:#?}", problems.join("; ")))
    }
}

/// Runs `step` when it is a `write`, `copy` or `mkdir` step; says whether it was.
fn file_step(step: &Value, dir: &Path, places: &Places) -> Result<bool, String> {
    if let Some(name) = step["write"].as_str() {
        let text = step["text"].as_str().unwrap_or("hello, python lines\n");
        std::fs::write(dir.join(name), text).map_err(|e| format!("write {name}: {e}"))?;
    } else if let Some(from) = step["copy"].as_str() {
        let to = step["to"].as_str().ok_or("copy without `to`")?;
        std::fs::copy(places.fill(from), dir.join(to)).map_err(|e| format!("copy {from}: {e}"))?;
    } else if let Some(name) = step["mkdir"].as_str() {
        std::fs::create_dir_all(dir.join(name)).map_err(|e| e.to_string())?;
    } else {
        return Ok(false);
    }
    Ok(true)
}

#[test]
fn python_lines() {
    let cases = load_cases();
    let env = Env::start("python-lines");
    let (mut passed, mut failed) = (0usize, 0usize);
    for case in &cases {
        let needs: Vec<&str> = case.value["needs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        // Every case runs against the testkit; `rekor-online` cases also reach its Rekor v1
        // log over HTTP (the trust files name it). An unknown need is a table mistake.
        if let Some(unknown) = needs
            .iter()
            .find(|need| !matches!(**need, "testkit" | "rekor-online"))
        {
            eprintln!("FAIL {}: unknown need {unknown:?}", case.name);
            failed += 1;
            continue;
        }
        match run_case(&env, &case.value) {
            Ok(()) => passed += 1,
            Err(problem) => {
                eprintln!("FAIL {}: {problem}", case.name);
                failed += 1;
            }
        }
    }
    println!("python-lines: {passed} passed, {failed} failed");
    assert!(passed > 0, "no python-lines cases");
    assert_eq!(failed, 0, "python-lines: {failed} failed");
}

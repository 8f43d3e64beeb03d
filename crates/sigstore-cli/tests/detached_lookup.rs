//! `sigstore verify` of legacy detached signatures (`.sig` + `.crt`) without a `.rekor` file:
//! the log entry is looked up in the testkit's Rekor v1 (`POST /api/v1/log/entries/retrieve`)
//! and verified like one from a `.rekor` file. The log is untrusted: every fault it can inject
//! into the answer (no entry, another artifact's entry, an altered body, a bad proof or
//! checkpoint, errors) must make verification fail, never pass.
#![allow(clippy::unwrap_used)]

mod common;
mod sign_common;

use std::path::PathBuf;

use common::*;
use sign_common::*;
use sigstore_testkit::{Endpoint, Fault};

/// A signed artifact with its detached `.sig` and `.crt` (no `.rekor`), and a second signed
/// artifact so that the log holds an entry for something else.
struct Signed {
    env: Env,
    file: PathBuf,
    sig: PathBuf,
    crt: PathBuf,
}

fn signed(tag: &str) -> Signed {
    let env = Env::start(tag);
    let mut paths = Vec::new();
    for name in ["other.txt", "artifact.txt"] {
        let file = env.input(name, &format!("contents of {name}\n"));
        let (sig, crt) = (
            env.dir.join(&format!("{name}.sig")),
            env.dir.join(&format!("{name}.crt")),
        );
        env.sign(
            "sign",
            false,
            &[s(&file), "--signature", s(&sig), "--certificate", s(&crt)],
        )
        .expect_code(0);
        assert!(!env.dir.join(&format!("{name}.rekor")).exists());
        paths.push((file, sig, crt));
    }
    let (file, sig, crt) = paths.pop().unwrap();
    Signed {
        env,
        file,
        sig,
        crt,
    }
}

impl Signed {
    fn verify(&self, extra: &[&str]) -> Run {
        let mut args = vec![
            s(&self.file),
            "--signature",
            s(&self.sig),
            "--certificate",
            s(&self.crt),
        ];
        args.extend_from_slice(extra);
        self.env.verify(&args)
    }
}

/// What a case expects: exit code and a fragment of the output.
struct Case {
    name: &'static str,
    fault: Option<Fault>,
    args: Vec<String>,
    code: i32,
    expect: &'static str,
}

#[test]
fn detached_signatures_are_looked_up_and_verified() {
    let t = signed("detached-lookup");
    let rekor_v1 = t.env.kit.urls().rekor_v1.clone();
    let none: Vec<String> = Vec::new();
    let url = |u: &str| vec!["--rekor-url".to_owned(), u.to_owned()];
    let cases = vec![
        Case {
            name: "default log (the trusted root's Rekor v1)",
            fault: None,
            args: none.clone(),
            code: 0,
            expect: "OK: ",
        },
        Case {
            name: "explicit --rekor-url",
            fault: None,
            args: url(&rekor_v1),
            code: 0,
            expect: "OK: ",
        },
        Case {
            name: "another artifact's entry first, then the matching one",
            fault: Some(Fault::ExtraEntry),
            args: none.clone(),
            code: 0,
            expect: "OK: ",
        },
        Case {
            name: "empty answer",
            fault: Some(Fault::EmptyResult),
            args: none.clone(),
            code: 1,
            expect: "has no entry for this signature",
        },
        Case {
            name: "another artifact's entry",
            fault: Some(Fault::OtherEntry),
            args: none.clone(),
            code: 1,
            expect: "does not verify",
        },
        Case {
            name: "altered body, original SET and proof",
            fault: Some(Fault::TamperedBody),
            args: none.clone(),
            code: 1,
            expect: "does not verify",
        },
        Case {
            name: "altered integratedTime, original SET",
            fault: Some(Fault::TamperedTime),
            args: none.clone(),
            code: 1,
            expect: "does not verify",
        },
        Case {
            name: "no inclusion proof (SET only)",
            fault: Some(Fault::NoInclusionProof),
            args: none.clone(),
            code: 1,
            expect: "no inclusion proof",
        },
        Case {
            name: "corrupt inclusion proof",
            fault: Some(Fault::BadInclusionProof),
            args: none.clone(),
            code: 1,
            expect: "does not verify",
        },
        Case {
            name: "checkpoint not signed by the log's key",
            fault: Some(Fault::WrongCheckpointKey),
            args: none.clone(),
            code: 1,
            expect: "does not verify",
        },
        Case {
            name: "server error",
            fault: Some(Fault::Status(500)),
            args: none.clone(),
            code: 1,
            expect: "log entry lookup at",
        },
        Case {
            name: "malformed answer",
            fault: Some(Fault::MalformedBody),
            args: none.clone(),
            code: 1,
            expect: "log entry lookup at",
        },
        Case {
            name: "oversized answer",
            fault: Some(Fault::OversizedBody(3 << 20)),
            args: none.clone(),
            code: 1,
            expect: "exceeds",
        },
        Case {
            name: "--offline",
            fault: None,
            args: vec!["--offline".to_owned()],
            code: 1,
            expect: "pass --rekor-bundle FILE",
        },
        Case {
            name: "plain http --rekor-url to another host",
            fault: None,
            args: url("http://rekor.example.com"),
            code: 2,
            expect: "not https",
        },
        Case {
            name: "--rekor-url with --offline",
            fault: None,
            args: vec![
                "--offline".to_owned(),
                "--rekor-url".to_owned(),
                rekor_v1.clone(),
            ],
            code: 2,
            expect: "drop --offline",
        },
    ];
    let (mut passed, mut failed) = (0, 0);
    for case in &cases {
        t.env.kit.clear_faults();
        if let Some(fault) = &case.fault {
            t.env
                .kit
                .set_fault(Endpoint::RekorV1RetrieveEntries, fault.clone());
        }
        let before = t.env.kit.request_count(Endpoint::RekorV1RetrieveEntries);
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let r = t.verify(&args);
        let asked = t.env.kit.request_count(Endpoint::RekorV1RetrieveEntries) > before;
        let output = format!("{}{}", r.stdout, r.stderr);
        // Online cases must have asked the log; usage errors and --offline must not.
        let should_ask = case.code != 2 && !case.args.iter().any(|a| a == "--offline");
        let ok = r.code == Some(case.code)
            && output.contains(case.expect)
            && asked == should_ask
            && !output.contains("panicked")
            && (case.code == 0) == output.contains("OK: ");
        if ok {
            passed += 1;
            eprintln!("ok: {}: {}", case.name, output.trim_end());
        } else {
            failed += 1;
            eprintln!("FAILED: {}: {r:#?} (asked the log: {asked})", case.name);
        }
    }
    t.env.kit.clear_faults();

    // A different artifact with the same .sig/.crt: the log has no entry for its digest.
    let mut wrong = |name: &str, ok: bool| {
        if ok {
            passed += 1;
        } else {
            failed += 1;
            eprintln!("FAILED: {name}");
        }
    };
    let original = std::fs::read(&t.file).unwrap();
    std::fs::write(&t.file, b"tampered artifact\n").unwrap();
    let r = t.verify(&[]);
    wrong(
        "wrong artifact",
        r.code == Some(1) && r.stdout.contains("has no entry for this signature"),
    );
    std::fs::write(&t.file, &original).unwrap();
    // Discovery: FILE.sig + FILE.crt next to the file, no flags.
    let r = t.env.verify(&[s(&t.file)]);
    wrong(
        "discovered .sig/.crt",
        r.code == Some(0) && r.lines() == vec![format!("OK: {}", t.file.display())],
    );
    // A digest input works the same way.
    let digest = format!(
        "sha256:{}",
        sigstore_crypto::HashAlgorithm::Sha256
            .digest(&original)
            .to_hex()
    );
    let r = t.env.verify(&[
        &digest,
        "--signature",
        s(&t.sig),
        "--certificate",
        s(&t.crt),
    ]);
    wrong("digest input", r.code == Some(0));

    eprintln!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0, "{passed} passed, {failed} failed");
}

//! The resource limits stated in the README's "Resource limits" table, each probed at its
//! boundary: the largest input is accepted (or gets past the size check to the next one), one
//! more is refused with the typed error the table names. The table's numbers are checked
//! against the constants, so the statement cannot drift from the code.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use sigstore_http::testing::{CannedResponse, CannedServer};
use sigstore_http::{HttpClient, HttpConfig, Request};
use sigstore_rekor::body::{EntryBody, MAX_BODY_SIZE};
use sigstore_rekor::checkpoint::{SignedNote, MAX_NOTE_SIZE, MAX_SIGNATURE_LINES};
use sigstore_rekor::merkle::{verify_consistency, MAX_PROOF_HASHES};
use sigstore_tuf::{FsTransport, Limits, Resource, Transport, TransportError};
use sigstore_types::bundle::{MAX_CHAIN_CERTIFICATES, MAX_RFC3161_TIMESTAMPS, MAX_TLOG_ENTRIES};
use sigstore_types::intoto::{MAX_DIGESTS_PER_SUBJECT, MAX_SUBJECTS};
use sigstore_types::{Bundle, Statement, MAX_JSON_SIZE};

type Probe = fn(usize) -> Result<(), String>;

/// One row of the table: the constant's name as the README writes it, its value, and a probe
/// that feeds an input of a given size (in the limit's unit) and says whether it was refused
/// by this limit (`Err`) or got past it (`Ok`).
struct Limit {
    constant: &'static str,
    value: usize,
    probe: Probe,
}

fn limits() -> Vec<Limit> {
    let tuf = Limits::default();
    vec![
        Limit {
            constant: "sigstore_types::MAX_JSON_SIZE",
            value: MAX_JSON_SIZE,
            probe: bundle_json_size,
        },
        Limit {
            constant: "sigstore_types::bundle::MAX_CHAIN_CERTIFICATES",
            value: MAX_CHAIN_CERTIFICATES,
            probe: chain_certificates,
        },
        Limit {
            constant: "sigstore_types::bundle::MAX_TLOG_ENTRIES",
            value: MAX_TLOG_ENTRIES,
            probe: tlog_entries,
        },
        Limit {
            constant: "sigstore_types::bundle::MAX_RFC3161_TIMESTAMPS",
            value: MAX_RFC3161_TIMESTAMPS,
            probe: timestamps,
        },
        Limit {
            constant: "sigstore_types::intoto::MAX_SUBJECTS",
            value: MAX_SUBJECTS,
            probe: subjects,
        },
        Limit {
            constant: "sigstore_types::intoto::MAX_DIGESTS_PER_SUBJECT",
            value: MAX_DIGESTS_PER_SUBJECT,
            probe: digests_per_subject,
        },
        Limit {
            constant: "sigstore_rekor::merkle::MAX_PROOF_HASHES",
            value: MAX_PROOF_HASHES,
            probe: proof_hashes,
        },
        Limit {
            constant: "sigstore_rekor::checkpoint::MAX_NOTE_SIZE",
            value: MAX_NOTE_SIZE,
            probe: note_size,
        },
        Limit {
            constant: "sigstore_rekor::checkpoint::MAX_SIGNATURE_LINES",
            value: MAX_SIGNATURE_LINES,
            probe: note_signature_lines,
        },
        Limit {
            constant: "sigstore_rekor::body::MAX_BODY_SIZE",
            value: MAX_BODY_SIZE,
            probe: entry_body_size,
        },
        Limit {
            constant: "sigstore_tuf::Limits::root",
            value: to_usize(tuf.root),
            probe: |n| tuf_file(n, Limits::default().root),
        },
        Limit {
            constant: "sigstore_tuf::Limits::timestamp",
            value: to_usize(tuf.timestamp),
            probe: |n| tuf_file(n, Limits::default().timestamp),
        },
        Limit {
            constant: "sigstore_tuf::Limits::snapshot",
            value: to_usize(tuf.snapshot),
            probe: |n| tuf_file(n, Limits::default().snapshot),
        },
        Limit {
            constant: "sigstore_tuf::Limits::targets",
            value: to_usize(tuf.targets),
            probe: |n| tuf_file(n, Limits::default().targets),
        },
        Limit {
            constant: "sigstore_tuf::Limits::target",
            value: to_usize(tuf.target),
            probe: |n| tuf_file(n, Limits::default().target),
        },
        Limit {
            constant: "sigstore_http::HttpConfig::max_response_bytes",
            value: HttpConfig::default().max_response_bytes,
            probe: http_body,
        },
    ]
}

fn to_usize(value: u64) -> usize {
    usize::try_from(value).expect("limit fits in usize")
}

fn conformance_bundle() -> Value {
    let path = sigstore_test_support::conformance_cases()
        .join("happy-path-v0.3")
        .join("bundle.sigstore.json");
    serde_json::from_slice(&std::fs::read(path).expect("conformance bundle")).expect("JSON")
}

fn parse_bundle(doc: &Value) -> Result<Bundle, sigstore_types::Error> {
    Bundle::from_json(&serde_json::to_vec(doc).expect("serialize"))
}

/// `Err` with the error's text when `refused` says it is this limit's error; `Ok` for success
/// or any other error (the input got past this limit).
fn classify<T, E: std::fmt::Debug>(
    result: Result<T, E>,
    refused: impl Fn(&E) -> bool,
) -> Result<(), String> {
    match result {
        Err(error) if refused(&error) => Err(format!("{error:?}")),
        _ => Ok(()),
    }
}

fn bundle_json_size(size: usize) -> Result<(), String> {
    let mut bytes = serde_json::to_vec(&conformance_bundle()).expect("serialize");
    assert!(bytes.len() <= size, "the bundle alone exceeds {size} bytes");
    bytes.resize(size, b' ');
    let result = Bundle::from_json(&bytes);
    if size <= MAX_JSON_SIZE {
        // At the limit the padded bundle must parse, not merely pass the size check.
        result.map_err(|e| format!("a padded valid bundle of {size} bytes was refused: {e}"))?;
        return Ok(());
    }
    classify(
        result,
        |e| matches!(e, sigstore_types::Error::InputTooLarge { size: s, limit } if *s == size && *limit == MAX_JSON_SIZE),
    )
}

fn chain_certificates(count: usize) -> Result<(), String> {
    let mut doc = conformance_bundle();
    let cert = doc["verificationMaterial"]["certificate"]["rawBytes"].clone();
    let material = doc["verificationMaterial"]
        .as_object_mut()
        .expect("verificationMaterial");
    material.remove("certificate");
    material.insert(
        "x509CertificateChain".into(),
        json!({ "certificates": vec![json!({ "rawBytes": cert }); count] }),
    );
    doc["mediaType"] = json!("application/vnd.dev.sigstore.bundle+json;version=0.2");
    classify(
        parse_bundle(&doc),
        |e| matches!(e, sigstore_types::Error::TooManyCertificates { count: c, max } if *c == count && *max == MAX_CHAIN_CERTIFICATES),
    )
}

fn tlog_entries(count: usize) -> Result<(), String> {
    let mut doc = conformance_bundle();
    let entry = doc["verificationMaterial"]["tlogEntries"][0].clone();
    let entries = (0..count)
        .map(|i| {
            let mut entry = entry.clone();
            entry["logIndex"] = json!(i.to_string());
            entry
        })
        .collect::<Vec<_>>();
    doc["verificationMaterial"]["tlogEntries"] = json!(entries);
    classify(parse_bundle(&doc), |e| {
        matches!(e, sigstore_types::Error::TooManyTlogEntries { .. })
    })
}

fn timestamps(count: usize) -> Result<(), String> {
    let mut doc = conformance_bundle();
    let tokens = (0..count)
        .map(|i| json!({ "signedTimestamp": STANDARD.encode(format!("token {i}")) }))
        .collect::<Vec<_>>();
    doc["verificationMaterial"]["timestampVerificationData"] =
        json!({ "rfc3161Timestamps": tokens });
    classify(parse_bundle(&doc), |e| {
        matches!(e, sigstore_types::Error::TooManyTimestamps { .. })
    })
}

fn statement(subjects: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": "https://example.com/predicate",
        "predicate": {},
    }))
    .expect("serialize")
}

fn subjects(count: usize) -> Result<(), String> {
    let subjects = (0..count)
        .map(|i| json!({ "name": format!("file{i}"), "digest": { "sha256": format!("{i:064x}") } }))
        .collect();
    classify(
        Statement::from_json(&statement(subjects)),
        |e| matches!(e, sigstore_types::Error::TooManySubjects { count: c, max } if *c == count && *max == MAX_SUBJECTS),
    )
}

fn digests_per_subject(count: usize) -> Result<(), String> {
    let digest: serde_json::Map<String, Value> = (0..count)
        .map(|i| (format!("alg{i}"), json!(format!("{i:064x}"))))
        .collect();
    let subjects = vec![json!({ "name": "file", "digest": digest })];
    classify(
        Statement::from_json(&statement(subjects)),
        |e| matches!(e, sigstore_types::Error::TooManyDigests { count: c, max, .. } if *c == count && *max == MAX_DIGESTS_PER_SUBJECT),
    )
}

fn proof_hashes(count: usize) -> Result<(), String> {
    // The longest proof any 64-bit tree needs: a consistency proof from 3 leaves to
    // 2^64 - 1 leaves, 65 hashes (the subtree seed, 64 inner hashes). The cap bounds the work
    // on any input; a proof of another length for these sizes is refused as such.
    let proof = vec![[7u8; 32]; count];
    classify(
        verify_consistency(3, u64::MAX, &proof, &[1u8; 32], &[2u8; 32]),
        |e| matches!(e, sigstore_rekor::Error::ProofLength { actual, .. } if *actual == count),
    )
}

fn note_with(text_len: usize, signature_lines: usize) -> String {
    let line = "\u{2014} log.example AQIDBAU=\n";
    let mut note = "x".repeat(text_len.saturating_sub(2));
    note.push_str("\n\n");
    for _ in 0..signature_lines {
        note.push_str(line);
    }
    note
}

fn note_size(size: usize) -> Result<(), String> {
    let one_line = note_with(0, 1).len() - 2;
    let note = note_with(size - one_line, 1);
    assert_eq!(note.len(), size);
    let result = SignedNote::parse(&note);
    if size <= MAX_NOTE_SIZE {
        result.map_err(|e| format!("a well-formed note of {size} bytes was refused: {e}"))?;
        return Ok(());
    }
    classify(
        result,
        |e| matches!(e, sigstore_rekor::Error::NoteTooLarge { len, max } if *len == size && *max == MAX_NOTE_SIZE),
    )
}

fn note_signature_lines(count: usize) -> Result<(), String> {
    let result = SignedNote::parse(&note_with(20, count));
    if count <= MAX_SIGNATURE_LINES {
        let note =
            result.map_err(|e| format!("a note with {count} signatures was refused: {e}"))?;
        assert_eq!(note.signatures.len(), count);
        return Ok(());
    }
    classify(
        result,
        |e| matches!(e, sigstore_rekor::Error::TooManySignatures { max } if *max == MAX_SIGNATURE_LINES),
    )
}

fn entry_body_size(size: usize) -> Result<(), String> {
    let doc = conformance_bundle();
    let body = STANDARD
        .decode(
            doc["verificationMaterial"]["tlogEntries"][0]["canonicalizedBody"]
                .as_str()
                .expect("canonicalizedBody"),
        )
        .expect("base64");
    let mut bytes = body.clone();
    bytes.resize(size, b' ');
    let result = EntryBody::parse("hashedrekord", "0.0.1", &bytes);
    if size <= MAX_BODY_SIZE {
        result.map_err(|e| format!("a padded valid body of {size} bytes was refused: {e}"))?;
        return Ok(());
    }
    classify(
        result,
        |e| matches!(e, sigstore_rekor::Error::BodyTooLarge { len, max } if *len == size && *max == MAX_BODY_SIZE),
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn tuf_file(size: usize, limit: u64) -> Result<(), String> {
    let dir = sigstore_test_support::TempDir::new(&format!("sigstore-limits-tuf-{size}"));
    std::fs::create_dir_all(dir.join("metadata")).expect("temp dir");
    std::fs::write(dir.join("metadata/timestamp.json"), vec![b' '; size]).expect("write");
    let transport = FsTransport::new(&dir);
    let result = runtime().block_on(transport.fetch(Resource::Metadata("timestamp.json"), limit));
    drop(dir);
    match result {
        Ok(bytes) if bytes.len() == size => Ok(()),
        Ok(bytes) => Err(format!("read {} of {size} bytes", bytes.len())),
        Err(TransportError::TooLarge { limit: l }) if l == limit => Err("TooLarge".into()),
        Err(other) => panic!("unexpected transport error: {other:?}"),
    }
}

fn http_body(size: usize) -> Result<(), String> {
    runtime().block_on(async {
        let server = CannedServer::start(move |_| CannedResponse::new(200, vec![b'x'; size]))
            .await
            .expect("server");
        let client = HttpClient::new(HttpConfig::default().with_retries(0)).expect("client");
        let result = client
            .send_ok(&Request::get(format!("{}/body", server.url())))
            .await;
        match result {
            Ok(response) if response.body.len() == size => Ok(()),
            Ok(response) => Err(format!("read {} of {size} bytes", response.body.len())),
            Err(sigstore_http::Error::ResponseTooLarge { limit, .. }) => {
                Err(format!("ResponseTooLarge (limit {limit})"))
            }
            Err(other) => panic!("unexpected HTTP error: {other:?}"),
        }
    })
}

/// The README's row for `constant`, if any.
fn readme_row<'a>(readme: &'a str, constant: &str) -> Option<&'a str> {
    let needle = format!("`{constant}`");
    readme
        .lines()
        .find(|line| line.starts_with('|') && line.contains(&needle))
}

#[test]
fn every_stated_limit_holds_at_its_boundary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let (mut passed, mut failed) = (0usize, Vec::new());
    for limit in limits() {
        let mut problems = Vec::new();
        match readme_row(&readme, limit.constant) {
            None => problems.push("no row in the README's resource limits table".to_owned()),
            Some(row) => {
                let stated = format!("| {} |", limit.value);
                if !row.contains(&stated) {
                    problems.push(format!(
                        "the README row does not state {}: {row}",
                        limit.value
                    ));
                }
            }
        }
        if let Err(error) = (limit.probe)(limit.value) {
            problems.push(format!("refused at the limit ({}): {error}", limit.value));
        }
        if (limit.probe)(limit.value + 1).is_ok() {
            problems.push(format!("accepted past the limit ({})", limit.value + 1));
        }
        if problems.is_empty() {
            passed += 1;
        } else {
            failed.push(format!("{}: {}", limit.constant, problems.join("; ")));
        }
    }
    println!("limits: {passed} passed, {} failed", failed.len());
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(passed > 0, "no limits checked");
}

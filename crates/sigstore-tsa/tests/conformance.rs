//! RFC 3161 verification over the sigstore-conformance bundles that carry timestamps, plus a
//! corpus of malformed tokens derived from a real one.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a test failure.

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::Value;
use sigstore_tsa::{verify_timestamp, Error, TimeStampToken, TimestampAuthority};
use sigstore_types::{Timestamp, ValidityPeriod};

fn cases_dir() -> PathBuf {
    sigstore_test_support::conformance_cases()
}

fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn b64(value: &Value) -> Vec<u8> {
    try_b64(value).unwrap()
}

/// Standard base64; line breaks are skipped as protobuf JSON decoders do (one conformance
/// bundle stores `base64` tool output with newlines).
fn try_b64(value: &Value) -> Option<Vec<u8>> {
    let text: String = value
        .as_str()?
        .chars()
        .filter(|c| !matches!(c, '\n' | '\r'))
        .collect();
    B64.decode(text).ok()
}

/// The case's trusted root, or the production one when the case has none.
fn trusted_root(case: &str) -> Value {
    let own = cases_dir().join(case).join("trusted_root.json");
    if own.exists() {
        read_json(&own)
    } else {
        read_json(&sigstore_test_support::trust_file(
            "production",
            "trusted_root.json",
        ))
    }
}

fn authorities(root: &Value) -> Vec<TimestampAuthority> {
    root["timestampAuthorities"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|ca| {
                    let chain: Vec<Vec<u8>> = ca["certChain"]["certificates"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| b64(&c["rawBytes"]))
                        .collect();
                    let valid_for: Option<ValidityPeriod> =
                        serde_json::from_value(ca["validFor"].clone()).ok();
                    TimestampAuthority::new(&chain, valid_for).unwrap()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// (token DER, timestamped signature bytes) of a case's first timestamp.
fn token_and_data(case: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let bundle = read_json(&cases_dir().join(case).join("bundle.sigstore.json"));
    let token = bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
        .get(0)?["signedTimestamp"]
        .clone();
    let data = if bundle["messageSignature"].is_object() {
        try_b64(&bundle["messageSignature"]["signature"])?
    } else {
        try_b64(&bundle["dsseEnvelope"]["signatures"][0]["sig"])?
    };
    Some((try_b64(&token)?, data))
}

/// Cases whose timestamp this layer must reject, with the reason it must give.
fn expected_failure(case: &str) -> Option<fn(&Error) -> bool> {
    Some(match case {
        "rekor2-timestamp-outside-trust-root-tsa-validity_fail" => {
            |e| matches!(e, Error::OutsideAuthorityValidity { .. })
        }
        "rekor2-timestamp-outside-tsa-cert-validity_fail" => |e| matches!(e, Error::Chain(_)),
        "rekor2-timestamp-payload-mismatch_fail" => |e| matches!(e, Error::ImprintMismatch),
        "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail"
        | "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail" => {
            |e| matches!(e, Error::BadSignature(_))
        }
        _ => return None,
    })
}

#[test]
fn conformance_timestamps() {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("bundle.sigstore.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let must_verify = [
        "rekor2-happy-path",
        "rekor2-timestamp-with-embedded-cert",
        "rekor2-timestamp-without-embedded-cert",
        "rekor2-timestamp-with-expired-cert-chain",
        "trust-root-tsa-validity-end-inclusive",
        "rekor2-timestamp-with-incorrect-time_fail",
        "intoto-tsa-timestamp-outside-cert-validity_fail",
    ];
    let (mut passed, mut failed, mut seen) = (0, 0, Vec::new());
    for name in &names {
        let Ok(text) = std::fs::read_to_string(cases_dir().join(name).join("bundle.sigstore.json"))
        else {
            continue;
        };
        if serde_json::from_str::<Value>(&text).is_err() {
            continue;
        }
        let Some((token, data)) = token_and_data(name) else {
            continue;
        };
        let root = trusted_root(name);
        let tsas = authorities(&root);
        let result = verify_timestamp(&token, &data, &tsas);
        let ok = match (expected_failure(name), &result) {
            (Some(check), Err(e)) => check(e),
            (Some(_), Ok(_)) => false,
            (None, Ok(v)) => {
                // The time returned is the token's genTime.
                let parsed = TimeStampToken::from_der(&token).unwrap();
                v.time == parsed.tst_info().gen_time
            }
            (None, Err(_)) => false,
        };
        if ok {
            passed += 1;
        } else {
            failed += 1;
            eprintln!("FAIL {name}: {result:?}");
        }
        seen.push(name.clone());
    }
    println!("conformance timestamps: {passed} passed, {failed} failed");
    assert_eq!(failed, 0);
    for name in must_verify.iter().chain(
        [
            "rekor2-timestamp-outside-trust-root-tsa-validity_fail",
            "rekor2-timestamp-outside-tsa-cert-validity_fail",
            "rekor2-timestamp-payload-mismatch_fail",
            "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
            "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
        ]
        .iter(),
    ) {
        assert!(seen.iter().any(|s| s == name), "case {name} was not run");
    }
    assert!(passed >= 12);
}

fn happy() -> (Vec<u8>, Vec<u8>, Vec<TimestampAuthority>) {
    let (token, data) = token_and_data("rekor2-happy-path").unwrap();
    let tsas = authorities(&trusted_root("rekor2-happy-path"));
    (token, data, tsas)
}

#[test]
fn happy_path_details() {
    let (token, data, tsas) = happy();
    let v = verify_timestamp(&token, &data, &tsas).unwrap();
    assert_eq!(
        v.time,
        Timestamp::parse_rfc3339("2025-06-12T12:02:20Z").unwrap()
    );
    assert_eq!(v.authority_index, 0);
    assert_eq!(v.policy.to_string(), "1.3.6.1.4.1.57264.2");
    assert!(v.nonce.is_some());
    assert!(v.check_nonce(&[1, 2, 3]).is_err());

    // Timestamped data off by one bit.
    let mut other = data.clone();
    other[0] ^= 1;
    assert_eq!(
        verify_timestamp(&token, &other, &tsas),
        Err(Error::ImprintMismatch)
    );
    // No authorities at all.
    assert_eq!(
        verify_timestamp(&token, &data, &[]),
        Err(Error::NoAuthorities)
    );
    // The production TSA (a different key) does not verify a staging token; with both, the
    // staging one is found at its index.
    let prod = authorities(&trusted_root("managed-key-happy-path"));
    assert!(matches!(
        verify_timestamp(&token, &data, &prod),
        Err(Error::BadSignature(_))
    ));
    let both: Vec<_> = prod.into_iter().chain(tsas).collect();
    assert_eq!(
        verify_timestamp(&token, &data, &both)
            .unwrap()
            .authority_index,
        1
    );
}

/// A DER element tree, just enough to mutate and re-encode tokens.
#[derive(Clone, Debug)]
enum Node {
    Prim(u8, Vec<u8>),
    Cons(u8, Vec<Node>),
}

fn parse_nodes(mut bytes: &[u8]) -> Vec<Node> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let tag = bytes[0];
        let (len, hl) = if bytes[1] < 0x80 {
            (bytes[1] as usize, 2)
        } else {
            let n = (bytes[1] & 0x7f) as usize;
            let len = bytes[2..2 + n]
                .iter()
                .fold(0usize, |a, b| (a << 8) | *b as usize);
            (len, 2 + n)
        };
        let value = &bytes[hl..hl + len];
        out.push(if tag & 0x20 != 0 {
            Node::Cons(tag, parse_nodes(value))
        } else {
            Node::Prim(tag, value.to_vec())
        });
        bytes = &bytes[hl + len..];
    }
    out
}

fn encode(node: &Node) -> Vec<u8> {
    let (tag, content) = match node {
        Node::Prim(tag, v) => (*tag, v.clone()),
        Node::Cons(tag, children) => (*tag, children.iter().flat_map(encode).collect()),
    };
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(&content);
    out
}

fn child<'a>(node: &'a mut Node, path: &[usize]) -> &'a mut Node {
    match path.split_first() {
        None => node,
        Some((i, rest)) => match node {
            Node::Cons(_, children) => child(&mut children[*i], rest),
            Node::Prim(..) => panic!("not constructed"),
        },
    }
}

// Paths inside the TimeStampResp: [1] ContentInfo, [1,1] [0], [1,1,0] SignedData.
const SIGNED_DATA: &[usize] = &[1, 1, 0];

fn tree() -> Node {
    let (token, _, _) = happy();
    let mut nodes = parse_nodes(&token);
    assert_eq!(nodes.len(), 1);
    let node = nodes.remove(0);
    assert_eq!(encode(&node), token, "test re-encoder must round-trip");
    node
}

fn check(node: &Node) -> Result<sigstore_tsa::VerifiedTimestamp, Error> {
    let (_, data, tsas) = happy();
    verify_timestamp(&encode(node), &data, &tsas)
}

#[test]
fn structural_mutations() {
    let (token, data, tsas) = happy();
    let base = tree();

    // A bare ContentInfo token (no TimeStampResp wrapper) verifies too.
    let bare = child(&mut base.clone(), &[1]).clone();
    assert!(verify_timestamp(&encode(&bare), &data, &tsas).is_ok());

    // Status rejection (2) and waiting (3).
    for status in [2u8, 3] {
        let mut t = base.clone();
        *child(&mut t, &[0, 0]) = Node::Prim(0x02, vec![status]);
        assert_eq!(
            check(&t),
            Err(Error::StatusNotGranted {
                status: status.into()
            })
        );
    }
    // grantedWithMods is accepted.
    let mut t = base.clone();
    *child(&mut t, &[0, 0]) = Node::Prim(0x02, vec![1]);
    assert!(check(&t).is_ok());

    // Response without a token.
    let mut t = base.clone();
    if let Node::Cons(_, c) = &mut t {
        c.truncate(1);
    }
    assert_eq!(check(&t), Err(Error::MissingToken));

    // Wrong ContentInfo content type (id-data).
    let id_data = vec![0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    let mut t = base.clone();
    *child(&mut t, &[1, 0]) = Node::Prim(0x06, id_data.clone());
    assert!(matches!(check(&t), Err(Error::UnexpectedContentType(_))));

    // Wrong eContentType.
    let mut t = base.clone();
    let mut path = SIGNED_DATA.to_vec();
    path.extend_from_slice(&[2, 0]);
    *child(&mut t, &path) = Node::Prim(0x06, id_data);
    assert!(matches!(check(&t), Err(Error::UnexpectedContentType(_))));

    // Two SignerInfos, and none.
    let signer_infos_index = match child(&mut base.clone(), SIGNED_DATA) {
        Node::Cons(_, c) => c.len() - 1,
        Node::Prim(..) => unreachable!(),
    };
    let mut path = SIGNED_DATA.to_vec();
    path.push(signer_infos_index);
    let mut t = base.clone();
    if let Node::Cons(_, c) = child(&mut t, &path) {
        let first = c[0].clone();
        c.push(first);
    }
    assert_eq!(check(&t), Err(Error::SignerInfoCount { count: 2 }));
    let mut t = base.clone();
    if let Node::Cons(_, c) = child(&mut t, &path) {
        c.clear();
    }
    assert_eq!(check(&t), Err(Error::SignerInfoCount { count: 0 }));

    // SignerInfo: wrong signature value.
    let mut signer = path.clone();
    signer.push(0);
    let mut t = base.clone();
    if let Node::Cons(_, c) = child(&mut t, &signer) {
        let sig_index = c
            .iter()
            .position(|n| matches!(n, Node::Prim(0x04, _)))
            .unwrap();
        if let Node::Prim(_, sig) = &mut c[sig_index] {
            let n = sig.len();
            sig[n - 1] ^= 1;
        }
    }
    assert!(matches!(check(&t), Err(Error::BadSignature(_))));

    // Signed attributes: a changed message digest, a changed content type, a missing one.
    let mut attrs_path = signer.clone();
    attrs_path.push(3);
    for (index, mutation) in [(2usize, "digest"), (0, "ctype"), (0, "drop")] {
        let mut t = base.clone();
        if let Node::Cons(tag, attrs) = child(&mut t, &attrs_path) {
            assert_eq!(*tag, 0xa0);
            match mutation {
                "drop" => {
                    attrs.remove(index);
                }
                _ => {
                    if let Node::Cons(_, parts) = &mut attrs[index] {
                        if let Node::Cons(_, values) = &mut parts[1] {
                            if let Node::Prim(_, v) = &mut values[0] {
                                let n = v.len();
                                v[n - 1] ^= 1;
                            }
                        }
                    }
                }
            }
        }
        let result = check(&t);
        match mutation {
            "digest" => assert_eq!(result, Err(Error::MessageDigestMismatch)),
            "ctype" => assert!(matches!(result, Err(Error::ContentTypeMismatch(_)))),
            _ => assert_eq!(result, Err(Error::MissingSignedAttribute("content-type"))),
        }
    }

    // Duplicated signed attribute.
    let mut t = base.clone();
    if let Node::Cons(_, attrs) = child(&mut t, &attrs_path) {
        let first = attrs[0].clone();
        attrs.push(first);
    }
    assert!(matches!(check(&t), Err(Error::DuplicateSignedAttribute(_))));

    // TSTInfo with a SHA-1 imprint: rejected before anything else.
    let mut t = base.clone();
    let mut econtent = SIGNED_DATA.to_vec();
    econtent.extend_from_slice(&[2, 1, 0]);
    if let Node::Prim(_, tst) = child(&mut t, &econtent) {
        let mut tst_tree = parse_nodes(tst).remove(0);
        *child(&mut tst_tree, &[2, 0, 0]) = Node::Prim(0x06, vec![0x2b, 0x0e, 0x03, 0x02, 0x1a]);
        *child(&mut tst_tree, &[2, 1]) = Node::Prim(0x04, vec![0; 20]);
        *tst = encode(&tst_tree);
    }
    assert!(matches!(check(&t), Err(Error::UnsupportedHashAlgorithm(_))));

    // TSTInfo version 2.
    let mut t = base.clone();
    if let Node::Prim(_, tst) = child(&mut t, &econtent) {
        let mut tst_tree = parse_nodes(tst).remove(0);
        *child(&mut tst_tree, &[0]) = Node::Prim(0x02, vec![2]);
        *tst = encode(&tst_tree);
    }
    assert!(matches!(
        check(&t),
        Err(Error::UnsupportedVersion {
            what: "TSTInfo",
            ..
        })
    ));

    // Trailing garbage after the response.
    let mut trailing = token.clone();
    trailing.push(0);
    assert!(matches!(
        verify_timestamp(&trailing, &data, &tsas),
        Err(Error::Malformed(_))
    ));
}

#[test]
fn malformed_corpus_never_panics() {
    let (token, data, tsas) = happy();
    let mut errors = 0;
    for n in 0..token.len() {
        assert!(
            verify_timestamp(&token[..n], &data, &tsas).is_err(),
            "truncated at {n}"
        );
        errors += 1;
    }
    // Flip one bit in every third byte (every byte is slow in debug builds): nothing panics;
    // the signed parts all fail. Embedded certificates are ignored, so some flips there may
    // still verify.
    let parsed = TimeStampToken::from_der(&token).unwrap();
    let cert = &parsed.embedded_certificates()[0];
    let cert_start = token
        .windows(cert.len())
        .position(|w| w == cert.as_slice())
        .unwrap();
    let ignored = cert_start..cert_start + cert.len();
    let mut still_ok = 0;
    for i in (0..token.len()).step_by(3) {
        let mut t = token.clone();
        t[i] ^= 0x01;
        match verify_timestamp(&t, &data, &tsas) {
            Ok(_) => {
                // Only the embedded certificate, status 0 -> 1 (grantedWithMods) or the
                // informational SignedData digestAlgorithms (bytes 35..50 of this token).
                assert!(
                    ignored.contains(&i) || i == 6 || (35..50).contains(&i),
                    "flip at {i} still verifies"
                );
                still_ok += 1;
            }
            Err(_) => errors += 1,
        }
    }
    for garbage in [
        &[][..],
        &[0x30],
        &[0x30, 0x00],
        &[0x30, 0x80, 0x00, 0x00],
        &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        &[0x30, 0x03, 0x02, 0x01, 0x00],
        &[0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00],
        &[0x30, 0x02, 0x06, 0x00],
    ] {
        assert!(verify_timestamp(garbage, &data, &tsas).is_err());
        errors += 1;
    }
    println!("malformed timestamp corpus: {errors} rejected, {still_ok} bit flips outside signed data accepted");
    // Flips that still verify can only be in the ignored embedded certificates.
    assert!(still_ok < 200, "{still_ok}");
}

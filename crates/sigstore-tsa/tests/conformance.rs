//! RFC 3161 verification over the sigstore-conformance bundles that carry timestamps, plus a
//! corpus of malformed tokens derived from a real one.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a test failure.

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use der::asn1::AnyRef;
use der::{Encode as _, Reader as _, SliceReader, Tag, Tagged as _};
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

/// The DER elements of `bytes`, read with `der`, as a tree.
fn parse_nodes(bytes: &[u8]) -> Vec<Node> {
    let mut reader = SliceReader::new(bytes).unwrap();
    let mut out = Vec::new();
    while !reader.is_finished() {
        let element: AnyRef<'_> = reader.decode().unwrap();
        let tag = u8::from(element.tag());
        out.push(if element.tag().is_constructed() {
            Node::Cons(tag, parse_nodes(element.value()))
        } else {
            Node::Prim(tag, element.value().to_vec())
        });
    }
    out
}

/// The DER encoding of a tree, written with `der`.
fn encode(node: &Node) -> Vec<u8> {
    let (tag, content) = match node {
        Node::Prim(tag, v) => (*tag, v.clone()),
        Node::Cons(tag, children) => (*tag, children.iter().flat_map(encode).collect()),
    };
    let tag = Tag::try_from(tag).unwrap();
    AnyRef::new(tag, &content).unwrap().to_der().unwrap()
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
    let err = verify_timestamp(&trailing, &data, &tsas).unwrap_err();
    assert!(matches!(err, Error::Der { .. }), "{err}");
    assert!(err.to_string().contains("trailing"), "{err}");
}

/// What the DER layer refuses stays refused: counts past the limits, trailing elements, wrong
/// tags and non-DER lengths anywhere in the token.
#[test]
fn strict_structure_limits() {
    let (token, data, tsas) = happy();
    let base = tree();
    let mut summary = (0, 0);
    let mut expect = |name: &str,
                      result: Result<sigstore_tsa::VerifiedTimestamp, Error>,
                      ok: fn(&Error) -> bool| {
        match result {
            Err(ref err) if ok(err) => summary.0 += 1,
            other => {
                summary.1 += 1;
                eprintln!("{name}: unexpected {other:?}");
            }
        }
    };

    // 16 embedded certificates are read; a 17th is refused.
    let certs_path = [1, 1, 0, 3];
    let mut t = base.clone();
    if let Node::Cons(tag, certs) = child(&mut t, &certs_path) {
        assert_eq!(*tag, 0xa0);
        let cert = certs[0].clone();
        certs.resize(16, cert);
    }
    assert!(check(&t).is_ok(), "16 certificates are read");
    if let Node::Cons(_, certs) = child(&mut t, &certs_path) {
        let cert = certs[0].clone();
        certs.push(cert);
    }
    expect("17 certificates", check(&t), |e| {
        *e == Error::Malformed("too many embedded certificates")
    });

    // An embedded certificate that is not a SEQUENCE.
    let mut t = base.clone();
    if let Node::Cons(_, certs) = child(&mut t, &certs_path) {
        certs.push(Node::Prim(0x04, vec![1]));
    }
    expect("non-X.509 certificate", check(&t), |e| {
        *e == Error::Malformed("an embedded certificate is not X.509")
    });

    // 32 signed attributes are read; a 33rd is refused.
    let attrs_path = [1, 1, 0, 4, 0, 3];
    let attribute = |n: u8| {
        Node::Cons(
            0x30,
            vec![
                Node::Prim(0x06, vec![0x2a, 0x03, n]),
                Node::Cons(0x31, vec![Node::Prim(0x05, vec![])]),
            ],
        )
    };
    for (total, refused) in [(32u8, false), (33, true)] {
        let mut t = base.clone();
        if let Node::Cons(tag, attrs) = child(&mut t, &attrs_path) {
            assert_eq!(*tag, 0xa0);
            let have = attrs.len() as u8;
            attrs.extend((0..total - have).map(attribute));
            assert_eq!(attrs.len(), usize::from(total));
        }
        if refused {
            expect("33 attributes", check(&t), |e| {
                *e == Error::Malformed("too many signed attributes")
            });
        } else {
            // Parsed; the signature no longer covers them.
            expect("32 attributes", check(&t), |e| {
                matches!(e, Error::BadSignature(_))
            });
        }
    }

    // A trailing element in SignerInfo, SignedData and an attribute.
    for (name, path) in [
        ("SignerInfo", &[1usize, 1, 0, 4, 0][..]),
        ("SignedData", &[1, 1, 0]),
        ("Attribute", &[1, 1, 0, 4, 0, 3, 0]),
        ("PKIStatusInfo", &[0]),
    ] {
        let mut t = base.clone();
        if let Node::Cons(_, c) = child(&mut t, path) {
            c.push(Node::Prim(0x04, vec![]));
        }
        expect(name, check(&t), |e| {
            matches!(e, Error::Malformed(_) | Error::Der { .. })
        });
    }

    // Wrong tags: the signature as a BIT STRING, the signed attributes as [2].
    let mut t = base.clone();
    if let Node::Cons(_, c) = child(&mut t, &[1, 1, 0, 4, 0]) {
        if let Some(Node::Prim(tag, _)) = c.last_mut() {
            *tag = 0x03;
        }
    }
    expect("signature tag", check(&t), |e| {
        matches!(e, Error::Der { .. })
    });
    let mut t = base.clone();
    if let Node::Cons(tag, _) = child(&mut t, &attrs_path) {
        *tag = 0xa2;
    }
    expect("signedAttrs tag", check(&t), |e| {
        *e == Error::MissingSignedAttribute("signedAttrs")
    });

    // Non-DER lengths: indefinite, long form for a short length, more length octets than
    // needed.
    let content = &token[4..];
    assert_eq!(token[1], 0x82, "the happy token's length takes two octets");
    let mut indefinite = vec![0x30, 0x80];
    indefinite.extend_from_slice(content);
    indefinite.extend_from_slice(&[0, 0]);
    let mut long = vec![0x30, 0x83, 0x00];
    long.extend_from_slice(&token[2..]);
    for (name, bytes) in [("indefinite", indefinite), ("long length", long)] {
        expect(name, verify_timestamp(&bytes, &data, &tsas), |e| {
            matches!(e, Error::Der { .. })
        });
    }
    let (passed, failed) = summary;
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0);
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

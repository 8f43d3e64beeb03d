//! Structural rules and a malformed-input corpus: everything here must produce the expected
//! error (never a panic).
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a test failure.

mod common;

use serde_json::{json, Value};
use sigstore_types::{
    Bundle, BundleContent, BundleVersion, ClientTrustConfig, Error, HashAlgorithm, ServiceSelector,
    SigningConfig, Statement, TrustedRoot, MAX_JSON_SIZE,
};

fn case_json(name: &str, file: &str) -> Value {
    let path = sigstore_test_support::conformance_cases()
        .join(name)
        .join(file);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn v01() -> Value {
    case_json("happy-path-v0.1", "bundle.sigstore.json")
}

fn parse(v: &Value) -> Result<Bundle, Error> {
    Bundle::from_json(v.to_string().as_bytes())
}

fn edit(mut v: Value, f: impl FnOnce(&mut Value)) -> Value {
    f(&mut v);
    v
}

fn tle(v: &mut Value) -> &mut Value {
    &mut v["verificationMaterial"]["tlogEntries"][0]
}

#[test]
fn integer_fields() {
    let original = parse(&v01()).unwrap();
    let as_number = edit(v01(), |v| tle(v)["logIndex"] = json!(27246492));
    assert_eq!(parse(&as_number).unwrap(), original);
    let as_float = edit(v01(), |v| tle(v)["logIndex"] = json!(27246492.0));
    assert_eq!(parse(&as_float).unwrap(), original);

    let cases: Vec<(Value, Error)> = vec![
        (
            json!("99999999999999999999"),
            Error::InvalidInteger {
                field: "verificationMaterial.tlogEntries.logIndex",
                value: "99999999999999999999".into(),
            },
        ),
        (
            json!("abc"),
            Error::InvalidInteger {
                field: "verificationMaterial.tlogEntries.logIndex",
                value: "abc".into(),
            },
        ),
        (
            json!(""),
            Error::InvalidInteger {
                field: "verificationMaterial.tlogEntries.logIndex",
                value: "".into(),
            },
        ),
        (
            json!(" 1"),
            Error::InvalidInteger {
                field: "verificationMaterial.tlogEntries.logIndex",
                value: " 1".into(),
            },
        ),
        (
            json!(1.5),
            Error::InvalidInteger {
                field: "verificationMaterial.tlogEntries.logIndex",
                value: "1.5e0".into(),
            },
        ),
        (
            json!("-1"),
            Error::NegativeLogIndex {
                entry: 0,
                value: -1,
            },
        ),
        (
            json!(-7),
            Error::NegativeLogIndex {
                entry: 0,
                value: -7,
            },
        ),
        (
            json!("-9223372036854775808"),
            Error::NegativeLogIndex {
                entry: 0,
                value: i64::MIN,
            },
        ),
    ];
    for (value, expected) in cases {
        let b = edit(v01(), |v| tle(v)["logIndex"] = value.clone());
        assert_eq!(parse(&b), Err(expected), "logIndex {value}");
    }
    // A huge JSON number (not a string) is not representable either.
    let huge = v01().to_string().replace(
        r#""logIndex":"27246492""#,
        r#""logIndex":99999999999999999999"#,
    );
    assert!(matches!(
        Bundle::from_json(huge.as_bytes()),
        Err(Error::InvalidInteger {
            field: "verificationMaterial.tlogEntries.logIndex",
            ..
        })
    ));
    let b = edit(v01(), |v| tle(v)["logIndex"] = json!(true));
    assert!(matches!(parse(&b), Err(Error::Json { .. })));

    let b = edit(v01(), |v| {
        tle(v)["inclusionProof"]["treeSize"] = json!("-5")
    });
    assert_eq!(
        parse(&b),
        Err(Error::NegativeTreeSize {
            entry: 0,
            value: -5
        })
    );
    let b = edit(v01(), |v| {
        tle(v)["inclusionProof"]["logIndex"] = json!("-1")
    });
    assert_eq!(
        parse(&b),
        Err(Error::NegativeProofLogIndex {
            entry: 0,
            value: -1
        })
    );
    let b = edit(v01(), |v| {
        tle(v)["integratedTime"] = json!("9223372036854775808")
    });
    assert!(matches!(
        parse(&b),
        Err(Error::InvalidInteger {
            field: "verificationMaterial.tlogEntries.integratedTime",
            ..
        })
    ));
    // Absent numeric = 0.
    let b = edit(v01(), |v| {
        tle(v).as_object_mut().unwrap().remove("logIndex");
    });
    assert_eq!(
        parse(&b).unwrap().verification_material.tlog_entries[0].log_index,
        0
    );
}

#[test]
fn base64_fields() {
    let original = parse(&v01()).unwrap();
    type Locate = fn(&mut Value) -> &mut Value;
    let fields: Vec<(&str, Locate)> = vec![
        ("messageSignature.signature", |v| {
            &mut v["messageSignature"]["signature"]
        }),
        ("messageSignature.messageDigest.digest", |v| {
            &mut v["messageSignature"]["messageDigest"]["digest"]
        }),
        (
            "verificationMaterial.x509CertificateChain.certificates.rawBytes",
            |v| {
                &mut v["verificationMaterial"]["x509CertificateChain"]["certificates"][0]
                    ["rawBytes"]
            },
        ),
        ("verificationMaterial.tlogEntries.logId.keyId", |v| {
            &mut tle(v)["logId"]["keyId"]
        }),
        ("verificationMaterial.tlogEntries.canonicalizedBody", |v| {
            &mut tle(v)["canonicalizedBody"]
        }),
        (
            "verificationMaterial.tlogEntries.inclusionPromise.signedEntryTimestamp",
            |v| &mut tle(v)["inclusionPromise"]["signedEntryTimestamp"],
        ),
        (
            "verificationMaterial.tlogEntries.inclusionProof.rootHash",
            |v| &mut tle(v)["inclusionProof"]["rootHash"],
        ),
        (
            "verificationMaterial.tlogEntries.inclusionProof.hashes",
            |v| &mut tle(v)["inclusionProof"]["hashes"][3],
        ),
    ];
    for (field, locate) in fields {
        for bad in ["@@@@", "AQID+_==", "A", "AQ==AQ==", "AQ= ="] {
            let b = edit(v01(), |v| *locate(v) = json!(bad));
            assert_eq!(
                parse(&b),
                Err(Error::InvalidBase64 { field }),
                "{field} = {bad:?}"
            );
        }
        // URL-safe alphabet without padding decodes to the same bytes.
        let b = edit(v01(), |v| {
            let slot = locate(v);
            let url = slot
                .as_str()
                .unwrap()
                .replace('+', "-")
                .replace('/', "_")
                .trim_end_matches('=')
                .to_owned();
            *slot = json!(url);
        });
        assert_eq!(parse(&b).unwrap(), original, "{field} url-safe");
        let b = edit(v01(), |v| *locate(v) = json!(5));
        assert!(
            matches!(parse(&b), Err(Error::Json { .. })),
            "{field} number"
        );
    }
}

#[test]
fn media_types() {
    let with = |mt: &str| edit(v01(), |v| v["mediaType"] = json!(mt));
    for (mt, version) in [
        (
            "application/vnd.dev.sigstore.bundle+json;version=0.1",
            BundleVersion::V0_1,
        ),
        (
            "application/vnd.dev.sigstore.bundle.v0.1+json",
            BundleVersion::V0_1,
        ),
        (
            "application/vnd.dev.sigstore.bundle.v0.1.9+json",
            BundleVersion::V0_1,
        ),
    ] {
        assert_eq!(parse(&with(mt)).unwrap().version, version, "{mt}");
    }
    for mt in [
        "application/vnd.dev.sigstore.bundle+json;version=0.4",
        "application/vnd.dev.sigstore.bundle+json;version=99.9",
        "application/vnd.dev.sigstore.bundle+json",
        "application/vnd.dev.sigstore.bundle.v0.4+json",
        "application/vnd.dev.sigstore.bundle.v0.0+json",
        "application/vnd.dev.sigstore.bundle.v0.0.9+json",
        "application/vnd.dev.sigstore.bundle.v1.0+json",
        "application/vnd.dev.sigstore.bundle.v0+json",
        "application/vnd.dev.sigstore.bundle.v0.+json",
        "application/vnd.dev.sigstore.bundle.v.3+json",
        "application/vnd.dev.sigstore.bundle.v0.3.1.1+json",
        "application/vnd.dev.sigstore.bundle.v0.3-rc1+json",
        "application/vnd.dev.sigstore.bundle.v0.3",
        "application/vnd.dev.sigstore.bundle.v99999999999999999999999.1+json",
        "APPLICATION/VND.DEV.SIGSTORE.BUNDLE+JSON;VERSION=0.1",
    ] {
        assert!(
            matches!(parse(&with(mt)), Err(Error::UnsupportedBundleMediaType(_))),
            "{mt}"
        );
    }
    let b = edit(v01(), |v| {
        v.as_object_mut().unwrap().remove("mediaType");
    });
    assert_eq!(parse(&b), Err(Error::MissingField("mediaType")));
    assert!(BundleVersion::from_media_type(BundleVersion::V0_3.media_type()).is_ok());
}

#[test]
fn shape_rules() {
    let v03 = case_json("happy-path-v0.3", "bundle.sigstore.json");
    let dsse = case_json("happy-path-intoto-in-dsse-v3", "bundle.sigstore.json");
    let v02 = case_json("happy-path-v0.2", "bundle.sigstore.json");
    let obj = |v: &mut Value, key: &str| {
        v.as_object_mut().unwrap().remove(key);
    };

    let cases: Vec<(Value, Error)> = vec![
        (
            edit(v01(), |v| obj(v, "verificationMaterial")),
            Error::MissingField("verificationMaterial"),
        ),
        (
            edit(v01(), |v| obj(v, "messageSignature")),
            Error::MissingBundleContent,
        ),
        (
            edit(v01(), |v| v["dsseEnvelope"] = dsse["dsseEnvelope"].clone()),
            Error::AmbiguousBundleContent,
        ),
        (
            edit(v01(), |v| {
                obj(&mut v["verificationMaterial"], "x509CertificateChain")
            }),
            Error::MissingVerificationMaterialContent,
        ),
        (
            edit(v01(), |v| {
                v["verificationMaterial"]["publicKey"] = json!({"hint": "x"})
            }),
            Error::AmbiguousVerificationMaterialContent,
        ),
        (
            edit(v01(), |v| v["messageSignature"]["signature"] = json!("")),
            Error::EmptySignature,
        ),
        (
            edit(v01(), |v| obj(&mut v["messageSignature"], "signature")),
            Error::EmptySignature,
        ),
        (
            edit(dsse.clone(), |v| {
                let sig = v["dsseEnvelope"]["signatures"][0].clone();
                v["dsseEnvelope"]["signatures"] = json!([sig.clone(), sig]);
            }),
            Error::DsseSignatureCount(2),
        ),
        (
            edit(dsse.clone(), |v| {
                v["dsseEnvelope"]["signatures"] = json!([])
            }),
            Error::DsseSignatureCount(0),
        ),
        (
            edit(dsse.clone(), |v| obj(&mut v["dsseEnvelope"], "payloadType")),
            Error::MissingField("dsseEnvelope.payloadType"),
        ),
        (
            edit(v03.clone(), |v| {
                let cert = v["verificationMaterial"]["certificate"].clone();
                obj(&mut v["verificationMaterial"], "certificate");
                v["verificationMaterial"]["x509CertificateChain"] = json!({"certificates": [cert]});
            }),
            Error::CertificateChainInV03,
        ),
        (
            edit(v03.clone(), |v| {
                v["verificationMaterial"]["certificate"] = json!({})
            }),
            Error::MissingField("verificationMaterial.certificate.rawBytes"),
        ),
        (
            edit(v01(), |v| {
                v["verificationMaterial"]["x509CertificateChain"]["certificates"] = json!([{}])
            }),
            Error::MissingField("verificationMaterial.x509CertificateChain.certificates.rawBytes"),
        ),
        (
            edit(v01(), |v| obj(tle(v), "inclusionPromise")),
            Error::MissingInclusionPromise { entry: 0 },
        ),
        (
            edit(v01(), |v| tle(v)["inclusionPromise"] = json!({})),
            Error::MissingInclusionPromise { entry: 0 },
        ),
        (
            edit(v02.clone(), |v| obj(tle(v), "inclusionProof")),
            Error::MissingInclusionProof { entry: 0 },
        ),
        (
            edit(v02.clone(), |v| {
                obj(&mut tle(v)["inclusionProof"], "checkpoint")
            }),
            Error::MissingCheckpoint { entry: 0 },
        ),
        (
            edit(v03.clone(), |v| {
                tle(v)["inclusionProof"]["checkpoint"] = json!({"envelope": ""})
            }),
            Error::MissingCheckpoint { entry: 0 },
        ),
        (
            edit(v01(), |v| obj(tle(v), "kindVersion")),
            Error::MissingField("verificationMaterial.tlogEntries.kindVersion"),
        ),
        (
            edit(v01(), |v| {
                tle(v)["kindVersion"] = json!({"kind": "hashedrekord"})
            }),
            Error::MissingField("verificationMaterial.tlogEntries.kindVersion.version"),
        ),
        (
            edit(v01(), |v| obj(tle(v), "logId")),
            Error::MissingField("verificationMaterial.tlogEntries.logId.keyId"),
        ),
        (
            edit(v01(), |v| obj(tle(v), "canonicalizedBody")),
            Error::MissingField("verificationMaterial.tlogEntries.canonicalizedBody"),
        ),
        (
            edit(v01(), |v| {
                let e = tle(v).clone();
                v["verificationMaterial"]["tlogEntries"] = json!([e.clone(), e]);
            }),
            Error::DuplicateTlogEntry {
                log_index: 27246492,
            },
        ),
        (
            edit(v01(), |v| {
                let e = tle(v).clone();
                let many: Vec<Value> = (0..33)
                    .map(|i| {
                        let mut e = e.clone();
                        e["logIndex"] = json!(i.to_string());
                        e
                    })
                    .collect();
                v["verificationMaterial"]["tlogEntries"] = json!(many);
            }),
            Error::TooManyTlogEntries { count: 33, max: 32 },
        ),
        (
            edit(v01(), |v| {
                v["verificationMaterial"]["timestampVerificationData"] = json!({
                    "rfc3161Timestamps": [{"signedTimestamp": "AQID"}, {"signedTimestamp": "BAU="}, {"signedTimestamp": "AQID"}]
                })
            }),
            Error::DuplicateTimestamp { index: 2 },
        ),
        (
            edit(v01(), |v| {
                let many: Vec<Value> = (0..33u32)
                    .map(|i| json!({"signedTimestamp": sigstore_types::encoding::base64_encode(&i.to_be_bytes())}))
                    .collect();
                v["verificationMaterial"]["timestampVerificationData"] =
                    json!({"rfc3161Timestamps": many});
            }),
            Error::TooManyTimestamps { count: 33, max: 32 },
        ),
        (
            edit(v01(), |v| {
                v["verificationMaterial"]["timestampVerificationData"] =
                    json!({"rfc3161Timestamps": [{}]})
            }),
            Error::MissingField(
                "verificationMaterial.timestampVerificationData.rfc3161Timestamps.signedTimestamp",
            ),
        ),
    ];
    let total = cases.len();
    for (i, (input, expected)) in cases.into_iter().enumerate() {
        assert_eq!(parse(&input), Err(expected), "case {i}");
    }
    // Two distinct entries in one log are fine; same index in different logs too.
    let two = edit(v01(), |v| {
        let e = tle(v).clone();
        let mut other_log = e.clone();
        other_log["logId"]["keyId"] = json!("AAAA");
        let mut other_index = e.clone();
        other_index["logIndex"] = json!("1");
        v["verificationMaterial"]["tlogEntries"] = json!([e, other_log, other_index]);
    });
    assert_eq!(
        parse(&two)
            .unwrap()
            .verification_material
            .tlog_entries
            .len(),
        3
    );
    println!("bundle shape rules: {total} malformed variants rejected with the expected error");
}

#[test]
fn protobuf_json_leniency() {
    let original = parse(&v01()).unwrap();
    // Null means absent.
    let null = edit(v01(), |v| {
        v["verificationMaterial"]["timestampVerificationData"] = Value::Null;
    });
    assert_eq!(parse(&null).unwrap(), original);
    // Unknown members are refused at every level, with their path (review finding, issue
    // 11: they were ignored, so anything could ride along in a "verified" bundle).
    let unknown_member = |edit_bundle: fn(&mut Value), path: &str| {
        let bundle = edit(v01(), edit_bundle);
        assert_eq!(
            parse(&bundle),
            Err(Error::UnknownMember { path: path.into() }),
            "{path}"
        );
    };
    unknown_member(|v| v["futureField"] = json!({"a": [1, 2]}), "futureField");
    unknown_member(
        |v| tle(v)["somethingNew"] = json!("x"),
        "verificationMaterial.tlogEntries.0.somethingNew",
    );
    unknown_member(
        |v| tle(v)["inclusionPromise"]["extra"] = json!(1),
        "verificationMaterial.tlogEntries.0.inclusionPromise.extra",
    );
    unknown_member(
        |v| v["messageSignature"]["messageDigest"]["note"] = Value::Null,
        "messageSignature.messageDigest.note",
    );
    // snake_case keys are not accepted as the camelCase ones: they are unknown members.
    let snake = edit(v01(), |v| {
        let mt = v["mediaType"].take();
        v.as_object_mut().unwrap().remove("mediaType");
        v["media_type"] = mt;
    });
    assert_eq!(
        parse(&snake),
        Err(Error::UnknownMember {
            path: "media_type".into()
        })
    );
    // Enums: unknown names are kept, numbers accepted.
    let unknown = edit(v01(), |v| {
        v["messageSignature"]["messageDigest"]["algorithm"] = json!("SHA9_999")
    });
    let b = parse(&unknown).unwrap();
    let BundleContent::MessageSignature(m) = &b.content else {
        panic!()
    };
    assert_eq!(
        m.message_digest.as_ref().unwrap().algorithm,
        HashAlgorithm::Unknown("SHA9_999".into())
    );
    assert_eq!(Bundle::from_json(b.to_json().as_bytes()).unwrap(), b);
    let numeric = edit(v01(), |v| {
        v["messageSignature"]["messageDigest"]["algorithm"] = json!(1)
    });
    assert_eq!(parse(&numeric).unwrap(), original);
    // Canonical output: padded standard base64, int64 as strings.
    let out = original.to_json();
    assert!(out.contains(r#""logIndex":"27246492""#));
    assert!(out.contains(r#""integratedTime":"1689177396""#));
    assert!(out.contains(r#""algorithm":"SHA2_256""#));
    assert!(out.contains(r#""signature":"MEQCIFOpaXKWvvBDwThDjTHX7tFF8liRoSxLZIsSeoUM/6D4AiBxV9/RnTMMw1t6nniX0rCuwrf8Vh+feLFu99m4ir+3yA==""#));
}

#[test]
fn garbage_inputs() {
    let mut rejected = 0;
    let whole = v01().to_string().into_bytes();
    // Every truncation point (stepping to keep the test fast) must fail cleanly.
    for cut in (0..whole.len()).step_by(7) {
        assert!(Bundle::from_json(&whole[..cut]).is_err(), "cut at {cut}");
        rejected += 1;
    }
    for input in [
        &b""[..],
        b"null",
        b"[]",
        b"{}",
        b"\"bundle\"",
        b"{\"mediaType\": 1}",
        b"{\"mediaType\": \"application/vnd.dev.sigstore.bundle+json;version=0.1\", \"mediaType\": \"x\"}",
        b"{\"mediaType\": \"application/vnd.dev.sigstore.bundle+json;version=0.1\", \"verificationMaterial\": []}",
        b"{\"mediaType\": \"application/vnd.dev.sigstore.bundle+json;version=0.1\", \"verificationMaterial\": {\"tlogEntries\": {}}}",
        b"\xff\xfe{}",
    ] {
        assert!(Bundle::from_json(input).is_err(), "{}", String::from_utf8_lossy(input));
        assert!(TrustedRoot::from_json(input).is_err());
        assert!(SigningConfig::from_json(input).is_err());
        assert!(ClientTrustConfig::from_json(input).is_err());
        assert!(Statement::from_json(input).is_err());
        assert!(sigstore_types::Envelope::from_json(input).is_err());
        rejected += 1;
    }
    // Deep nesting hits serde_json's recursion limit instead of the stack.
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(Bundle::from_json(deep.as_bytes()).is_err());
    let deep_predicate = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"digest":{{"sha256":"00"}}}}],"predicate":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(
        Statement::from_json(deep_predicate.as_bytes()),
        Err(Error::Json { .. })
    ));
    // Deep nesting inside an unknown member: refused, without deep recursion.
    let deep_unknown = v01().to_string().replacen(
        "{",
        &format!("{{\"x\":{}{},", "[".repeat(100_000), "]".repeat(100_000)),
        1,
    );
    assert!(Bundle::from_json(deep_unknown.as_bytes()).is_err());
    // Oversized input is refused before parsing.
    let big = vec![b' '; MAX_JSON_SIZE + 1];
    assert_eq!(
        Bundle::from_json(&big),
        Err(Error::InputTooLarge {
            size: MAX_JSON_SIZE + 1,
            limit: MAX_JSON_SIZE
        })
    );
    // Pseudo-random byte mutations: any result is fine as long as nothing panics, and
    // whatever parses must round-trip.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut mutated_ok = 0;
    for _ in 0..3000 {
        let mut m = whole.clone();
        for _ in 0..(next() % 4 + 1) {
            let pos = (next() % m.len() as u64) as usize;
            m[pos] = (next() & 0xff) as u8;
        }
        if let Ok(b) = Bundle::from_json(&m) {
            assert_eq!(Bundle::from_json(b.to_json().as_bytes()).unwrap(), b);
            mutated_ok += 1;
        }
    }
    println!("malformed bundle corpus: {rejected} rejected, 3000 mutations ({mutated_ok} still valid, all round-tripped), 0 panics");
}

#[test]
fn trust_documents_malformed() {
    let root_text = std::fs::read_to_string(sigstore_test_support::trust_file(
        "production",
        "trusted_root.json",
    ))
    .unwrap();
    let root: Value = serde_json::from_str(&root_text).unwrap();
    let parse_root = |v: &Value| TrustedRoot::from_json(v.to_string().as_bytes());

    assert!(matches!(
        parse_root(&edit(root.clone(), |v| v["mediaType"] = json!("application/json"))),
        Err(Error::UnsupportedMediaType {
            document: "trusted root",
            ..
        })
    ));
    for mt in [
        "application/vnd.dev.sigstore.trustedroot.v0.1+json",
        "application/vnd.dev.sigstore.trustedroot.v0.2+json",
    ] {
        assert!(parse_root(&edit(root.clone(), |v| v["mediaType"] = json!(mt))).is_ok());
    }
    assert_eq!(
        parse_root(&edit(root.clone(), |v| {
            v["tlogs"][0].as_object_mut().unwrap().remove("logId");
        })),
        Err(Error::MissingField("transparencyLogInstance.logId.keyId"))
    );
    assert_eq!(
        parse_root(&edit(root.clone(), |v| v["tlogs"][0]["publicKey"]
            ["rawBytes"] = json!("%%"))),
        Err(Error::InvalidBase64 {
            field: "transparencyLogInstance.publicKey.rawBytes"
        })
    );
    assert!(matches!(
        parse_root(&edit(root.clone(), |v| v["tlogs"][0]["publicKey"]
            ["validFor"]["start"] =
            json!("yesterday"))),
        Err(Error::Json { .. })
    ));
    assert_eq!(
        parse_root(&edit(root.clone(), |v| {
            v["certificateAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"] = json!("")
        })),
        Err(Error::MissingField(
            "certificateAuthority.certChain.certificates.rawBytes"
        ))
    );
    // v0.2 fields and unknown key details survive a round trip.
    let v02 = edit(root.clone(), |v| {
        v["mediaType"] = json!("application/vnd.dev.sigstore.trustedroot.v0.2+json");
        v["tlogs"][0]["checkpointKeyId"] = json!({"keyId": "AAECAw=="});
        v["tlogs"][0]["operator"] = json!("sigstore.dev");
        v["tlogs"][0]["publicKey"]["keyDetails"] = json!("FUTURE_KEY");
    });
    let parsed = parse_root(&v02).unwrap();
    assert_eq!(parsed.tlogs[0].checkpoint_key_id, Some(vec![0, 1, 2, 3]));
    assert_eq!(parsed.tlogs[0].operator.as_deref(), Some("sigstore.dev"));
    assert_eq!(
        parsed.tlogs[0].public_key.key_details,
        sigstore_types::PublicKeyDetails::Unknown("FUTURE_KEY".into())
    );
    assert_eq!(
        TrustedRoot::from_json(parsed.to_json().as_bytes()).unwrap(),
        parsed
    );
    let truncated = &root_text.as_bytes()[..root_text.len() / 3];
    assert!(matches!(
        TrustedRoot::from_json(truncated),
        Err(Error::Json { .. })
    ));

    // Signing config.
    let cfg_text = std::fs::read_to_string(sigstore_test_support::trust_file(
        "production",
        "signing_config.v0.2.json",
    ))
    .unwrap();
    let cfg: Value = serde_json::from_str(&cfg_text).unwrap();
    let parse_cfg = |v: &Value| SigningConfig::from_json(v.to_string().as_bytes());
    let parsed = parse_cfg(&cfg).unwrap();
    assert_eq!(parsed.rekor_tlog_config.selector, ServiceSelector::Any);
    assert_eq!(parsed.ca_urls[0].major_api_version, 1);
    assert!(parsed.ca_urls[0].valid_for.start.is_some());
    assert!(matches!(
        parse_cfg(&edit(cfg.clone(), |v| v["mediaType"] =
            json!("application/vnd.dev.sigstore.signingconfig.v0.1+json"))),
        Err(Error::UnsupportedMediaType {
            document: "signing config",
            ..
        })
    ));
    assert!(matches!(
        parse_cfg(&edit(cfg.clone(), |v| v["caUrls"][0]["majorApiVersion"] =
            json!("4294967296"))),
        Err(Error::InvalidInteger {
            field: "service.majorApiVersion",
            ..
        })
    ));
    assert!(matches!(
        parse_cfg(&edit(cfg.clone(), |v| v["caUrls"][0]["majorApiVersion"] =
            json!(-1))),
        Err(Error::InvalidInteger {
            field: "service.majorApiVersion",
            ..
        })
    ));
    assert_eq!(
        parse_cfg(&edit(cfg.clone(), |v| {
            v["caUrls"][0].as_object_mut().unwrap().remove("url");
        })),
        Err(Error::MissingField("service.url"))
    );
    let exact = parse_cfg(&edit(cfg.clone(), |v| {
        v["tsaConfig"] = json!({"selector": "EXACT", "count": "2"});
        v["rekorTlogConfig"] = json!({"selector": "SOMETHING_NEW"});
        v["oidcUrls"][0]["majorApiVersion"] = json!("2");
    }))
    .unwrap();
    assert_eq!(exact.tsa_config.selector, ServiceSelector::Exact);
    assert_eq!(exact.tsa_config.count, Some(2));
    assert_eq!(
        exact.rekor_tlog_config.selector,
        ServiceSelector::Unknown("SOMETHING_NEW".into())
    );
    assert_eq!(exact.oidc_urls[0].major_api_version, 2);
    assert_eq!(
        SigningConfig::from_json(exact.to_json().as_bytes()).unwrap(),
        exact
    );
    let absent = parse_cfg(&edit(cfg.clone(), |v| {
        v.as_object_mut().unwrap().remove("tsaConfig");
    }))
    .unwrap();
    assert_eq!(absent.tsa_config.selector, ServiceSelector::Undefined);

    // Client trust config built from the two production documents.
    let ctc = json!({
        "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
        "trustedRoot": root,
        "signingConfig": cfg,
    });
    let parsed = ClientTrustConfig::from_json(ctc.to_string().as_bytes()).unwrap();
    assert!(!parsed.trusted_root.tlogs.is_empty());
    assert_eq!(
        ClientTrustConfig::from_json(parsed.to_json().as_bytes()).unwrap(),
        parsed
    );
    assert_eq!(
        ClientTrustConfig::from_json(
            edit(ctc.clone(), |v| {
                v.as_object_mut().unwrap().remove("signingConfig");
            })
            .to_string()
            .as_bytes()
        ),
        Err(Error::MissingField("signingConfig"))
    );
    assert!(matches!(
        ClientTrustConfig::from_json(
            edit(ctc, |v| v["mediaType"] = json!("x"))
                .to_string()
                .as_bytes()
        ),
        Err(Error::UnsupportedMediaType {
            document: "client trust config",
            ..
        })
    ));
}

#[test]
fn bundle_version_specific_round_trips() {
    // A bundle built in code validates and serializes with the canonical v0.3 media type.
    let v03 = parse(&case_json(
        "happy-path-v0.3-new-mediaType",
        "bundle.sigstore.json",
    ))
    .unwrap();
    assert_eq!(v03.media_type, BundleVersion::V0_3.media_type());
    let mut b = v03.clone();
    b.verification_material.tlog_entries[0].inclusion_proof = None;
    assert_eq!(b.validate(), Err(Error::MissingInclusionProof { entry: 0 }));
    assert!(v03.validate().is_ok());
}

//! Service selection (spec §2.2) on the production signing config and synthetic ones.
#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};
use sigstore_sign::{check_services, select_services, Error, SupportedApiVersions};
use sigstore_types::{SigningConfig, Timestamp};

fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn service(url: &str, version: u32, start: &str, end: Option<&str>, operator: &str) -> Value {
    let mut valid_for = json!({"start": start});
    if let Some(end) = end {
        valid_for["end"] = json!(end);
    }
    json!({"url": url, "majorApiVersion": version, "validFor": valid_for, "operator": operator})
}

fn config(
    rekor: Vec<Value>,
    rekor_config: Value,
    tsa: Vec<Value>,
    tsa_config: Value,
) -> SigningConfig {
    let v = json!({
        "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
        "caUrls": [
            service("https://ca-old", 1, "2020-01-01T00:00:00Z", Some("2024-12-31T23:59:59Z"), "a"),
            service("https://ca-new", 1, "2024-01-01T00:00:00Z", None, "a"),
            service("https://ca-future", 1, "2030-01-01T00:00:00Z", None, "a"),
            service("https://ca-v9", 9, "2020-01-01T00:00:00Z", None, "a"),
        ],
        "oidcUrls": [service("https://oidc", 1, "2020-01-01T00:00:00Z", None, "a")],
        "rekorTlogUrls": rekor,
        "rekorTlogConfig": rekor_config,
        "tsaUrls": tsa,
        "tsaConfig": tsa_config,
    });
    SigningConfig::from_json(v.to_string().as_bytes()).unwrap()
}

fn urls(list: &[sigstore_types::Service]) -> Vec<&str> {
    list.iter().map(|s| s.url.as_str()).collect()
}

#[test]
fn production_signing_config() {
    let bytes = std::fs::read(sigstore_test_support::trust_file(
        "production",
        "signing_config.v0.2.json",
    ))
    .unwrap();
    let config = SigningConfig::from_json(&bytes).unwrap();
    let s = select_services(
        &config,
        t("2025-08-01T00:00:00Z"),
        &SupportedApiVersions::default(),
    )
    .unwrap();
    assert_eq!(s.ca.url, "https://fulcio.sigstore.dev");
    assert_eq!(
        s.oidc.as_ref().unwrap().url,
        "https://oauth2.sigstore.dev/auth"
    );
    assert_eq!(urls(&s.rekor), ["https://rekor.sigstore.dev"]);
    assert_eq!(s.rekor_api_version(), 1);
    assert_eq!(
        urls(&s.tsa),
        ["https://timestamp.sigstore.dev/api/v1/timestamp"]
    );
    // Before the TSA's validFor.start, ANY finds no TSA: an error.
    assert!(matches!(
        select_services(
            &config,
            t("2025-01-01T00:00:00Z"),
            &SupportedApiVersions::default()
        ),
        Err(Error::NoValidService { kind: "TSA" })
    ));
    // Before Fulcio's start there is no CA.
    assert!(matches!(
        select_services(
            &config,
            t("2021-06-01T00:00:00Z"),
            &SupportedApiVersions::default()
        ),
        Err(Error::NoValidService { kind: "CA" })
    ));
}

fn rekors() -> Vec<Value> {
    vec![
        service("https://r1-a", 1, "2020-01-01T00:00:00Z", None, "a"),
        service("https://r2-a", 2, "2024-01-01T00:00:00Z", None, "a"),
        service("https://r1-b", 1, "2021-01-01T00:00:00Z", None, "b"),
        service(
            "https://r2-b-old",
            2,
            "2023-01-01T00:00:00Z",
            Some("2025-01-01T00:00:00Z"),
            "b",
        ),
        service("https://r2-b", 2, "2025-01-01T00:00:00Z", None, "b"),
        service("https://r2-c", 2, "2025-06-01T00:00:00Z", None, "c"),
    ]
}

#[test]
fn ca_is_newest_valid_supported_and_windows_are_inclusive() {
    let cfg = config(rekors(), json!({"selector": "ANY"}), vec![], json!({}));
    let sup = SupportedApiVersions::default();
    let s = select_services(&cfg, t("2024-06-01T00:00:00Z"), &sup).unwrap();
    assert_eq!(s.ca.url, "https://ca-new");
    // At exactly the old CA's end both are valid; the newest start wins.
    let s = select_services(&cfg, t("2024-12-31T23:59:59Z"), &sup).unwrap();
    assert_eq!(s.ca.url, "https://ca-new");
    // Before ca-new starts, ca-old (inclusive start) is chosen.
    let s = select_services(&cfg, t("2020-01-01T00:00:00Z"), &sup).unwrap();
    assert_eq!(s.ca.url, "https://ca-old");
    assert_eq!(urls(&s.rekor), ["https://r1-a"]);
    // One second before every start: nothing.
    let err = select_services(&cfg, t("2019-12-31T23:59:59Z"), &sup).unwrap_err();
    assert_eq!(err.to_string(), "no valid CA service in the signing config");
    let cfg2 = config(
        vec![service("https://r", 1, "2020-01-01T00:00:00Z", None, "a")],
        json!({"selector": "ANY"}),
        vec![],
        json!({}),
    );
    assert_eq!(
        select_services(&cfg2, t("2020-01-01T00:00:00Z"), &sup)
            .unwrap()
            .ca
            .url,
        "https://ca-old"
    );
    // A version the client does not implement (9) is never chosen; if it were the only
    // one supported, there would be no CA.
    let only9 = SupportedApiVersions {
        ca: vec![9],
        ..SupportedApiVersions::default()
    };
    assert_eq!(
        select_services(&cfg2, t("2026-01-01T00:00:00Z"), &only9)
            .unwrap()
            .ca
            .url,
        "https://ca-v9"
    );
    let none = SupportedApiVersions {
        ca: vec![2],
        ..SupportedApiVersions::default()
    };
    assert!(matches!(
        select_services(&cfg2, t("2026-01-01T00:00:00Z"), &none),
        Err(Error::NoValidService { kind: "CA" })
    ));
}

#[test]
fn rekor_all_one_per_operator_highest_version() {
    let cfg = config(rekors(), json!({"selector": "ALL"}), vec![], json!({}));
    let sup = SupportedApiVersions::default();
    // 2024-06: a has v2, b has v2 (old, still valid), c not yet.
    let s = select_services(&cfg, t("2024-06-01T00:00:00Z"), &sup).unwrap();
    assert_eq!(urls(&s.rekor), ["https://r2-a", "https://r2-b-old"]);
    assert_eq!(s.rekor_api_version(), 2);
    // 2025-01-01 (inclusive end of r2-b-old, start of r2-b): the newest start wins for b.
    let s = select_services(&cfg, t("2025-01-01T00:00:00Z"), &sup).unwrap();
    assert_eq!(urls(&s.rekor), ["https://r2-b", "https://r2-a"]);
    // 2026: all three operators on v2.
    let s = select_services(&cfg, t("2026-01-01T00:00:00Z"), &sup).unwrap();
    assert_eq!(
        urls(&s.rekor),
        ["https://r2-c", "https://r2-b", "https://r2-a"]
    );
    // A v1-only client uses one v1 log per operator.
    let v1 = SupportedApiVersions {
        rekor: vec![1],
        ..SupportedApiVersions::default()
    };
    let s = select_services(&cfg, t("2026-01-01T00:00:00Z"), &v1).unwrap();
    assert_eq!(urls(&s.rekor), ["https://r1-b", "https://r1-a"]);
    // No mixing: at 2023-06, a has v2 and v1, b has v2 (old) -> only v2.
    let s = select_services(&cfg, t("2023-06-01T00:00:00Z"), &sup).unwrap();
    assert!(s.rekor.iter().all(|r| r.major_api_version == 2));
    // Mixed operators: c only v1 and a only v2 -> only the v2 one.
    let mixed = config(
        vec![
            service("https://a-v2", 2, "2020-01-01T00:00:00Z", None, "a"),
            service("https://c-v1", 1, "2020-01-01T00:00:00Z", None, "c"),
        ],
        json!({"selector": "ALL"}),
        vec![],
        json!({}),
    );
    let s = select_services(&mixed, t("2026-01-01T00:00:00Z"), &sup).unwrap();
    assert_eq!(urls(&s.rekor), ["https://a-v2"]);
}

#[test]
fn selectors_any_exact_undefined_unknown() {
    let sup = SupportedApiVersions::default();
    let now = t("2026-01-01T00:00:00Z");
    let any = config(rekors(), json!({"selector": "ANY"}), vec![], json!({}));
    assert_eq!(
        urls(&select_services(&any, now, &sup).unwrap().rekor),
        ["https://r2-c"]
    );
    let exact2 = config(
        rekors(),
        json!({"selector": "EXACT", "count": 2}),
        vec![],
        json!({}),
    );
    assert_eq!(
        urls(&select_services(&exact2, now, &sup).unwrap().rekor),
        ["https://r2-c", "https://r2-b"]
    );
    let exact4 = config(
        rekors(),
        json!({"selector": "EXACT", "count": 4}),
        vec![],
        json!({}),
    );
    assert!(matches!(
        select_services(&exact4, now, &sup),
        Err(Error::NotEnoughServices {
            kind: "Rekor",
            wanted: 4,
            available: 3
        })
    ));
    let exact_no_count = config(rekors(), json!({"selector": "EXACT"}), vec![], json!({}));
    assert!(matches!(
        select_services(&exact_no_count, now, &sup),
        Err(Error::ExactCountMissing { kind: "Rekor" })
    ));
    let undefined = config(rekors(), json!({}), vec![], json!({}));
    assert!(matches!(
        select_services(&undefined, now, &sup),
        Err(Error::SelectorUndefined { kind: "Rekor" })
    ));
    let explicit_undefined = config(
        rekors(),
        json!({"selector": "SERVICE_SELECTOR_UNDEFINED"}),
        vec![],
        json!({}),
    );
    assert!(matches!(
        select_services(&explicit_undefined, now, &sup),
        Err(Error::SelectorUndefined { .. })
    ));
    let unknown = config(rekors(), json!({"selector": "SOME"}), vec![], json!({}));
    assert!(matches!(
        select_services(&unknown, now, &sup),
        Err(Error::UnknownSelector { kind: "Rekor", .. })
    ));
    // TSAs: listed with an undefined selector is an error; none listed selects none.
    let tsa = vec![
        service("https://tsa-a", 1, "2020-01-01T00:00:00Z", None, "a"),
        service("https://tsa-a2", 1, "2022-01-01T00:00:00Z", None, "a"),
        service("https://tsa-b", 1, "2020-01-01T00:00:00Z", None, "b"),
    ];
    let tsa_undefined = config(rekors(), json!({"selector": "ANY"}), tsa.clone(), json!({}));
    assert!(matches!(
        select_services(&tsa_undefined, now, &sup),
        Err(Error::SelectorUndefined { kind: "TSA" })
    ));
    let tsa_all = config(
        rekors(),
        json!({"selector": "ANY"}),
        tsa.clone(),
        json!({"selector": "ALL"}),
    );
    assert_eq!(
        urls(&select_services(&tsa_all, now, &sup).unwrap().tsa),
        ["https://tsa-a2", "https://tsa-b"]
    );
    let tsa_exact = config(
        rekors(),
        json!({"selector": "ANY"}),
        tsa,
        json!({"selector": "EXACT", "count": 3}),
    );
    assert!(matches!(
        select_services(&tsa_exact, now, &sup),
        Err(Error::NotEnoughServices {
            kind: "TSA",
            wanted: 3,
            available: 2
        })
    ));
}

/// Review finding: an identity token went in clear text to any `http://` Fulcio a signing
/// config named. Every selected service must be https, or plain http to this machine only.
#[test]
fn plain_http_services_only_on_loopback() {
    let start = "2020-01-01T00:00:00Z";
    let now = t("2025-08-01T00:00:00Z");
    let make = |ca: &str, oidc: &str, rekor: &str, tsa: &str| {
        let v = json!({
            "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
            "caUrls": [service(ca, 1, start, None, "a")],
            "oidcUrls": [service(oidc, 1, start, None, "a")],
            "rekorTlogUrls": [service(rekor, 1, start, None, "a")],
            "rekorTlogConfig": {"selector": "ANY"},
            "tsaUrls": [service(tsa, 1, start, None, "a")],
            "tsaConfig": {"selector": "ANY"},
        });
        SigningConfig::from_json(v.to_string().as_bytes()).unwrap()
    };
    let ok = "https://service.example.com";
    for local in [
        "http://127.0.0.1:3000",
        "http://localhost:8080",
        "http://[::1]:1",
    ] {
        select_services(
            &make(local, local, local, local),
            now,
            &SupportedApiVersions::default(),
        )
        .unwrap();
    }
    let mut refused = 0;
    for remote in [
        "http://10.0.0.1:8080",
        "http://fulcio.example.com",
        "http://127.0.0.1@fulcio.example.com",
    ] {
        for (kind, config) in [
            ("CA", make(remote, ok, ok, ok)),
            ("OIDC", make(ok, remote, ok, ok)),
            ("Rekor", make(ok, ok, remote, ok)),
            ("TSA", make(ok, ok, ok, remote)),
        ] {
            let e = select_services(&config, now, &SupportedApiVersions::default()).unwrap_err();
            assert!(
                matches!(&e, Error::InsecureService { kind: k, url } if *k == kind && url == remote),
                "{kind} {remote}: {e}"
            );
            refused += 1;
        }
    }
    println!("insecure services: {refused} refused, 0 accepted");
}

#[test]
fn check_services_names_the_missing_rekor_version() {
    let production = sigstore_trust::PRODUCTION.signing_config().unwrap();
    let v1 = SupportedApiVersions {
        rekor: vec![1],
        ..SupportedApiVersions::default()
    };
    assert_eq!(check_services(&production, &v1, Some(1)).unwrap(), 1);
    let v3 = SupportedApiVersions {
        rekor: vec![3],
        ..SupportedApiVersions::default()
    };
    let e = check_services(&production, &v3, Some(3)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the signing config has no usable Rekor v3 log"
    );
    let e = check_services(&production, &v3, None).unwrap_err();
    assert_eq!(e.to_string(), "the signing config has no usable Rekor log");
    let v0 = SupportedApiVersions {
        ca: vec![],
        ..SupportedApiVersions::default()
    };
    let e = check_services(&production, &v0, None).unwrap_err();
    assert!(matches!(e, Error::UnusableSigningConfig(_)), "{e:?}");
}

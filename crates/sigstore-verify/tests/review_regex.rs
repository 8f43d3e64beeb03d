//! Review: well-formed identity regexes are anchored at both ends (spec §3.4, §11 pitfall 7).
#![allow(clippy::unwrap_used)]

mod common;

use common::{Case, DEFAULT_IDENTITY, DEFAULT_ISSUER};
use sigstore_verify::Policy;
use sigstore_x509_policy::{Identity, Matcher};

#[test]
fn regexes_match_whole_values_only() {
    let m = Matcher::regex("foo").unwrap();
    assert!(m.is_match("foo"));
    for other in ["xfoo", "foox", "foo\n", "\nfoo", ""] {
        assert!(!m.is_match(other), "{other:?}");
    }
    let m = Matcher::regex("a|b").unwrap();
    assert!(m.is_match("a") && m.is_match("b"));
    assert!(!m.is_match("ab") && !m.is_match("xa") && !m.is_match("bx"));
    // Multi-line mode must not let `$`/`^` anchor at an embedded newline.
    let m = Matcher::regex("(?m)^foo$").unwrap();
    assert!(!m.is_match("foo\nbar"));
}

#[test]
fn a_substring_identity_regex_rejects_the_signer() {
    let case = Case::named("happy-path-v0.3");
    let verifier = case.verifier();
    let bundle = case.bundle().unwrap();
    let exact = Identity::regex(&regex_escape(DEFAULT_IDENTITY), DEFAULT_ISSUER).unwrap();
    verifier
        .verify(&bundle, case.artifact(), &Policy::identity(exact))
        .unwrap();
    for pattern in [
        "sigstore-conformance",
        "https://github\\.com/sigstore-conformance/",
    ] {
        let sub = Identity::regex(pattern, DEFAULT_ISSUER).unwrap();
        assert!(verifier
            .verify(&bundle, case.artifact(), &Policy::identity(sub))
            .is_err());
    }
    let issuer_sub = Identity::regex_with_issuer_regex(".*", "https://token\\.actions").unwrap();
    assert!(verifier
        .verify(&bundle, case.artifact(), &Policy::identity(issuer_sub))
        .is_err());
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

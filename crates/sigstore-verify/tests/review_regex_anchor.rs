//! Review: identity regexes must stay anchored whatever pattern text the caller passes.
//!
//! `Matcher::regex` wraps the caller's text as `\A(?:{pattern})\z`. A pattern with an
//! unbalanced `)` would close the wrapper group early and add a top-level alternative outside
//! the anchors (`a)|(.*` would become `\A(?:a)|(.*)\z`, matching every identity), so a pattern
//! that does not parse on its own is rejected.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Case, DEFAULT_ISSUER};
use sigstore_verify::Policy;
use sigstore_x509_policy::{Identity, Matcher};

#[test]
fn an_unbalanced_pattern_cannot_escape_the_anchors() {
    for pattern in ["a)|(.*", "x)|(?:", "^nobody$)|(.+"] {
        match Matcher::regex(pattern) {
            Err(_) => {}
            Ok(m) => assert!(
                !m.is_match(
                    "https://github.com/attacker/repo/.github/workflows/x.yml@refs/heads/main"
                ),
                "pattern {pattern:?} matched an unrelated identity"
            ),
        }
    }
}

#[test]
fn an_unbalanced_identity_regex_does_not_accept_any_signer() {
    let case = Case::named("happy-path-v0.3");
    let verifier = case.verifier();
    let bundle = case.bundle().unwrap();
    // Intended: only `https://example.com/nobody`; must never accept every identity.
    if let Ok(identity) = Identity::regex("https://example\\.com/nobody)|(.*", DEFAULT_ISSUER) {
        let outcome = verifier.verify(&bundle, case.artifact(), &Policy::identity(identity));
        assert!(
            outcome.is_err(),
            "the conformance signer passed a policy naming someone else"
        );
    }
}

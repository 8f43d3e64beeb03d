//! The rows no other client has: witness cosignatures the caller trusts, a predicate-type
//! policy, and the full verified statement in the result.
#![allow(clippy::unwrap_used)]

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::Case;
use ed25519_dalek::Signer as _;
use rand_core::OsRng;
use serde_json::Value;
use sigstore_types::Bundle;
use sigstore_verify::{CosignatureVerifier, Error, Verifier, VerifierConfig};

struct Witness {
    name: &'static str,
    sk: ed25519_dalek::SigningKey,
}

impl Witness {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            sk: ed25519_dalek::SigningKey::generate(&mut OsRng),
        }
    }

    fn key(&self) -> CosignatureVerifier {
        CosignatureVerifier::new(self.name, &self.sk.verifying_key().to_bytes()).unwrap()
    }

    /// A cosignature line over `text` (the note text, through its final newline).
    fn line(&self, text: &str, time: u64) -> String {
        let sig = self
            .sk
            .sign(format!("cosignature/v1\ntime {time}\n{text}").as_bytes());
        let mut raw = self.key().key_id().to_vec();
        raw.extend_from_slice(&time.to_be_bytes());
        raw.extend_from_slice(&sig.to_bytes());
        format!("\u{2014} {} {}\n", self.name, STANDARD.encode(raw))
    }
}

/// `case`'s bundle with cosignature lines over its checkpoint text appended by `witnesses`
/// (`tamper` signs other text instead).
fn cosigned(case: &Case, witnesses: &[&Witness], tamper: bool) -> Bundle {
    let mut json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    let envelope = &mut json["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
        ["checkpoint"]["envelope"];
    let note = envelope.as_str().unwrap().to_owned();
    let split = note.rfind("\n\n").unwrap();
    let text = &note[..split + 1];
    let signed = if tamper {
        text.replacen('\n', "x\n", 1)
    } else {
        text.to_owned()
    };
    let mut out = note.clone();
    for (i, w) in witnesses.iter().enumerate() {
        out.push_str(&w.line(&signed, 1_760_000_000 + i as u64));
    }
    *envelope = out.into();
    Bundle::from_json(&serde_json::to_vec(&json).unwrap()).unwrap()
}

#[test]
fn witness_cosignatures_count_only_for_supplied_keys() {
    let w1 = Witness::new("witness.example/w1");
    let w2 = Witness::new("witness.example/w2");
    let stranger = Witness::new("witness.example/w1");
    for name in ["rekor2-happy-path", "happy-path-v0.3"] {
        let case = Case::named(name);
        let policy = case.policy().unwrap();
        let both = cosigned(&case, &[&w1, &w2], false);
        let only_w1 = cosigned(&case, &[&w1], false);

        // Without witness keys, cosignatures change nothing.
        case.verifier()
            .verify(&both, case.artifact(), &policy)
            .unwrap();

        let one_of_two = case
            .verifier()
            .with_witnesses(vec![w1.key(), w2.key()], 1)
            .unwrap();
        let result = one_of_two
            .verify(&only_w1, case.artifact(), &policy)
            .unwrap();
        assert_eq!(result.log_entries[0].cosignatures.len(), 1, "{name}");
        assert_eq!(result.log_entries[0].cosignatures[0].witness, w1.name);
        let json = serde_json::to_value(&result).unwrap();
        assert_eq!(
            json["logEntries"][0]["cosignatures"][0]["witness"],
            "witness.example/w1"
        );

        let two_of_two = case
            .verifier()
            .with_witnesses(vec![w1.key(), w2.key()], 2)
            .unwrap();
        let result = two_of_two.verify(&both, case.artifact(), &policy).unwrap();
        assert_eq!(result.log_entries[0].cosignatures.len(), 2);
        let err = two_of_two
            .verify(&only_w1, case.artifact(), &policy)
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotEnoughCosignatures {
                    found: 1,
                    required: 2,
                    ..
                }
            ),
            "{name}: {err}"
        );
        // No cosignature at all.
        let err = two_of_two
            .verify(&case.bundle().unwrap(), case.artifact(), &policy)
            .unwrap_err();
        assert!(
            matches!(err, Error::NotEnoughCosignatures { found: 0, .. }),
            "{name}: {err}"
        );
        // A line from another key under a trusted witness's name is ignored (different key
        // ID), so it does not count.
        let impostor = cosigned(&case, &[&stranger], false);
        let err = case
            .verifier()
            .with_witnesses(vec![w1.key()], 1)
            .unwrap()
            .verify(&impostor, case.artifact(), &policy)
            .unwrap_err();
        assert!(
            matches!(err, Error::NotEnoughCosignatures { found: 0, .. }),
            "{err}"
        );
        // A trusted witness's line over other text fails the bundle.
        let forged = cosigned(&case, &[&w1], true);
        let err = case
            .verifier()
            .with_witnesses(vec![w1.key()], 1)
            .unwrap()
            .verify(&forged, case.artifact(), &policy)
            .unwrap_err();
        assert!(matches!(err, Error::LogEntry { .. }), "{err}");
    }

    // The conformance checkpoints cosigned by unknown witnesses: fine without witness keys,
    // not enough with ours.
    let case = Case::named("rekor2-checkpoint-multiple-cosigs");
    let err = case
        .verifier()
        .with_witnesses(vec![w1.key()], 1)
        .unwrap()
        .verify(
            &case.bundle().unwrap(),
            case.artifact(),
            &case.policy().unwrap(),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::NotEnoughCosignatures { found: 0, .. }),
        "{err}"
    );

    // A v0.1 entry resting on its SET alone has no checkpoint to witness.
    let case = Case::named("happy-path-v0.1");
    let mut json: Value = serde_json::from_slice(&case.bundle_json).unwrap();
    json["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("inclusionProof");
    let bundle = Bundle::from_json(&serde_json::to_vec(&json).unwrap()).unwrap();
    case.verifier()
        .verify(&bundle, case.artifact(), &case.policy().unwrap())
        .unwrap();
    let err = case
        .verifier()
        .with_witnesses(vec![w1.key()], 1)
        .unwrap()
        .verify(&bundle, case.artifact(), &case.policy().unwrap())
        .unwrap_err();
    assert!(
        matches!(err, Error::NotEnoughCosignatures { found: 0, .. }),
        "{err}"
    );
}

#[test]
fn witness_configuration_is_checked() {
    let case = Case::named("rekor2-happy-path");
    let w = Witness::new("w.example");
    for (keys, threshold) in [(vec![], 1), (vec![w.key()], 0), (vec![w.key()], 2)] {
        assert!(matches!(
            case.verifier().with_witnesses(keys, threshold),
            Err(Error::WitnessConfig(_))
        ));
    }
}

#[test]
fn predicate_type_policy() {
    let case = Case::named("happy-path-intoto-in-dsse-v3");
    let bundle = case.bundle().unwrap();
    let slsa = case
        .policy()
        .unwrap()
        .with_predicate_type("https://slsa.dev/provenance/v1");
    let result = case
        .verifier()
        .verify(&bundle, case.artifact(), &slsa)
        .unwrap();
    assert_eq!(
        result.statement.unwrap().predicate_type,
        "https://slsa.dev/provenance/v1"
    );
    let other = case
        .policy()
        .unwrap()
        .with_predicate_type("https://slsa.dev/provenance/v0.2");
    let err = case
        .verifier()
        .verify(&bundle, case.artifact(), &other)
        .unwrap_err();
    assert!(
        matches!(&err, Error::PredicateType { required, found: Some(found) }
            if required == "https://slsa.dev/provenance/v0.2" && found == "https://slsa.dev/provenance/v1"),
        "{err}"
    );
    // Both must hold when stacked.
    let stacked = case
        .policy()
        .unwrap()
        .with_predicate_type("https://slsa.dev/provenance/v1")
        .with_predicate_type("https://slsa.dev/provenance/v0.2");
    assert!(case
        .verifier()
        .verify(&bundle, case.artifact(), &stacked)
        .is_err());
    // A message signature carries no statement: refused.
    let plain = Case::named("happy-path-v0.3");
    let err = plain
        .verifier()
        .verify(
            &plain.bundle().unwrap(),
            plain.artifact(),
            &plain
                .policy()
                .unwrap()
                .with_predicate_type("https://slsa.dev/provenance/v1"),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::PredicateType { found: None, .. }),
        "{err}"
    );
    // The identity is still checked under the predicate type.
    let wrong_identity = sigstore_verify::Policy::identity(sigstore_x509_policy::Identity::new(
        "https://example.com/someone-else",
        common::DEFAULT_ISSUER,
    ))
    .with_predicate_type("https://slsa.dev/provenance/v1");
    assert!(matches!(
        case.verifier()
            .verify(&bundle, case.artifact(), &wrong_identity),
        Err(Error::Policy(_))
    ));
}

#[test]
fn the_full_statement_is_included_on_request() {
    let case = Case::named("happy-path-intoto-in-dsse-v3");
    let bundle = case.bundle().unwrap();
    let policy = case.policy().unwrap();
    let plain = case
        .verifier()
        .verify(&bundle, case.artifact(), &policy)
        .unwrap();
    assert!(plain.statement.as_ref().unwrap().statement.is_none());
    let mut config = VerifierConfig::default();
    config.include_statement = true;
    let full = Verifier::new(&case.trusted_root().unwrap(), config)
        .unwrap()
        .verify(&bundle, case.artifact(), &policy)
        .unwrap();
    let statement = full.statement.unwrap().statement.unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["subject"][0]["name"], "a.txt");
    assert!(statement["predicate"].is_object());
}

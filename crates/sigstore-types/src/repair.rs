//! Repairing and upgrading bundles (`sigstore plumbing fix-bundle`), as sigstore-python's
//! `fix-bundle` does: a bundle whose single log entry lacks an inclusion proof with a
//! checkpoint (old clients wrote such bundles) gets the complete entry from the log, and
//! any bundle can be rewritten in the v0.3 form.
//!
//! Nothing here verifies a signature or proof: a repaired bundle is verified like any other.

use crate::bundle::{Bundle, BundleVersion, TransparencyLogEntry, VerificationMaterialContent};
use crate::wire::{self};
use crate::Error;

impl Bundle {
    /// Parses the wire form without [`Bundle::validate`], for bundles to repair (their log
    /// entry may lack what their version requires). Validate before using the result.
    pub fn from_json_unvalidated(bytes: &[u8]) -> Result<Bundle, Error> {
        let w: crate::bundle::BundleWire = wire::parse_strict(bytes)?;
        Self::from_wire(w)
    }

    /// The single log entry of a bundle to repair; a bundle with none or several cannot be
    /// repaired.
    pub fn repairable_entry(&self) -> Result<&TransparencyLogEntry, Error> {
        match self.verification_material.tlog_entries.as_slice() {
            [entry] => Ok(entry),
            _ => Err(Error::Unfixable("must have exactly one log entry")),
        }
    }

    /// Replaces the single log entry with `complete`, the same entry as the log serves it
    /// now (same log, index and body; it may add the inclusion proof and checkpoint).
    pub fn replace_log_entry(&mut self, complete: TransparencyLogEntry) -> Result<(), Error> {
        let current = self.repairable_entry()?;
        if complete.log_id != current.log_id
            || complete.log_index != current.log_index
            || complete.canonicalized_body != current.canonicalized_body
        {
            return Err(Error::Unfixable(
                "the log's entry at this index is not the bundle's entry",
            ));
        }
        if complete.lacks_checkpoint() {
            return Err(Error::Unfixable(
                "the log's entry has no inclusion proof with a checkpoint",
            ));
        }
        self.verification_material.tlog_entries = vec![complete];
        Ok(())
    }

    /// The bundle in the current (v0.3) form: the leaf certificate alone instead of a
    /// certificate chain, the v0.3 media type; content, log entries and timestamps kept.
    /// Needs a log entry with an inclusion proof and checkpoint, as v0.3 does.
    pub fn upgraded(&self) -> Result<Bundle, Error> {
        let mut bundle = self.clone();
        bundle.media_type = BundleVersion::V0_3.media_type().to_owned();
        bundle.version = BundleVersion::V0_3;
        if let VerificationMaterialContent::X509CertificateChain(chain) =
            &self.verification_material.content
        {
            let leaf = chain.first().ok_or(Error::EmptyCertificateChain)?;
            bundle.verification_material.content =
                VerificationMaterialContent::Certificate(leaf.clone());
        }
        bundle.validate()?;
        Ok(bundle)
    }
}

impl TransparencyLogEntry {
    /// Whether the entry lacks an inclusion proof with a (non-empty) checkpoint.
    pub fn lacks_checkpoint(&self) -> bool {
        self.inclusion_proof
            .as_ref()
            .is_none_or(|proof| proof.checkpoint.as_ref().is_none_or(String::is_empty))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v01() -> Vec<u8> {
        let path = sigstore_test_support::conformance_cases()
            .join("happy-path-v0.1")
            .join("bundle.sigstore.json");
        std::fs::read(path).expect("read happy-path-v0.1")
    }

    #[test]
    fn replaces_an_incomplete_entry_with_the_same_entry() {
        let complete = Bundle::from_json(&v01()).unwrap();
        assert!(!complete.repairable_entry().unwrap().lacks_checkpoint());
        let mut broken = complete.clone();
        let entry = &mut broken.verification_material.tlog_entries[0];
        entry.inclusion_proof.as_mut().unwrap().checkpoint = None;
        let text = broken.to_json();
        // v0.1 does not require the checkpoint; the repair reads it either way.
        let mut broken = Bundle::from_json_unvalidated(text.as_bytes()).unwrap();
        assert!(broken.repairable_entry().unwrap().lacks_checkpoint());
        let original = complete.verification_material.tlog_entries[0].clone();

        let mut other = original.clone();
        other.canonicalized_body.push(b' ');
        assert!(matches!(
            broken.replace_log_entry(other),
            Err(Error::Unfixable(_))
        ));
        let mut incomplete = original.clone();
        incomplete.inclusion_proof = None;
        assert!(broken.replace_log_entry(incomplete).is_err());
        broken.replace_log_entry(original).unwrap();
        assert_eq!(broken, complete);

        let mut two = complete.clone();
        let extra = two.verification_material.tlog_entries[0].clone();
        two.verification_material.tlog_entries.push(extra);
        assert!(matches!(two.repairable_entry(), Err(Error::Unfixable(_))));
    }

    #[test]
    fn upgrades_to_v03_with_the_leaf_certificate() {
        let bundle = Bundle::from_json(&v01()).unwrap();
        let upgraded = bundle.upgraded().unwrap();
        assert_eq!(upgraded.version, BundleVersion::V0_3);
        assert_eq!(upgraded.media_type, crate::media_types::BUNDLE_V0_3);
        assert_eq!(
            upgraded.verification_material.content,
            VerificationMaterialContent::Certificate(
                bundle
                    .verification_material
                    .leaf_certificate()
                    .unwrap()
                    .to_vec()
            )
        );
        assert_eq!(upgraded.content, bundle.content);
        assert_eq!(
            upgraded.verification_material.tlog_entries,
            bundle.verification_material.tlog_entries
        );
        // Round trip, and upgrading twice changes nothing.
        let again = Bundle::from_json(upgraded.to_json().as_bytes()).unwrap();
        assert_eq!(again, upgraded);
        assert_eq!(upgraded.upgraded().unwrap(), upgraded);
    }
}

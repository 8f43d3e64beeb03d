//! Verifiers for Sigstore instances, and what a signer shares with a verifier.
//!
//! With the `tuf` feature, [`Verifier::production`] and [`Verifier::staging`] give a verifier
//! for the public instances with trust material refreshed over TUF (cached per user), like
//! sigstore-python's `Verifier.production()`; [`Verifier::for_instance`] takes any instance and
//! offline use, and also returns where the material came from.
//! [`Verifier::embedded`] needs no feature and no network: the material compiled into
//! `sigstore-trust`, which may be out of date.

use sigstore_fulcio::CtLog;
use sigstore_trust::Instance;
use sigstore_tsa::TimestampAuthority;
use sigstore_x509_policy::CertificateAuthority;

use crate::{Error, TrustMaterial, Verifier, VerifierConfig};

impl TrustMaterial {
    /// The Fulcio certificate authorities, parsed.
    pub fn certificate_authorities(&self) -> &[CertificateAuthority] {
        &self.certificate_authorities
    }

    /// The CT logs whose keys this build can use.
    pub fn ct_logs(&self) -> &[CtLog] {
        &self.ct_logs
    }

    /// The timestamp authorities, parsed (on the first call).
    ///
    /// # Errors
    ///
    /// [`Error::TrustedRootCertificate`] when a timestamp authority's chain does not parse.
    pub fn timestamp_authorities(&self) -> Result<&[TimestampAuthority], Error> {
        self.timestamp_authorities.get()
    }
}

impl Verifier {
    /// The trust material this verifier was built from, parsed and checked once: a signer
    /// checks its certificates and timestamps against the same material under the same rules.
    pub fn trust_material(&self) -> &TrustMaterial {
        &self.trust
    }

    /// A verifier with the default configuration for the trusted root compiled into this
    /// build for `instance` (production or staging; `None` for a private instance). No network
    /// is used; the material may be out of date (prefer `Verifier::for_instance` with the
    /// `tuf` feature).
    pub fn embedded(instance: &Instance) -> Option<Result<Self, Error>> {
        let embedded = instance.embedded()?;
        Some(
            embedded
                .trusted_root()
                .map_err(Error::from)
                .and_then(|root| Self::new(&root, VerifierConfig::default())),
        )
    }
}

#[cfg(feature = "tuf")]
mod tuf {
    use sigstore_trust::tuf::{self, LoadOptions, Loaded, Need};
    use sigstore_trust::Instance;

    use crate::{Error, Verifier, VerifierConfig};

    impl Verifier {
        /// A verifier for Sigstore's production instance, with its trusted root refreshed over
        /// TUF now (cached under the user's data and cache directories). Blocking; from async
        /// code use [`Verifier::for_instance_async`].
        pub fn production() -> Result<Self, Error> {
            Ok(Self::for_instance(&Instance::Production, &LoadOptions::default())?.0)
        }

        /// Like [`Verifier::production`], for the staging instance.
        pub fn staging() -> Result<Self, Error> {
            Ok(Self::for_instance(&Instance::Staging, &LoadOptions::default())?.0)
        }

        /// A verifier with the default configuration for `instance`'s trusted root, loaded as
        /// `options` say (online over TUF, or offline from the cache, else the embedded
        /// copy), with what [`tuf::load`] reports about where it came from. Blocking.
        pub fn for_instance(
            instance: &Instance,
            options: &LoadOptions,
        ) -> Result<(Self, Loaded), Error> {
            let loaded = tuf::load(instance, Need::TrustedRoot, options)?;
            Ok((
                Self::new(&loaded.trusted_root, VerifierConfig::default())?,
                loaded,
            ))
        }

        /// [`Verifier::for_instance`] for async callers.
        pub async fn for_instance_async(
            instance: &Instance,
            options: &LoadOptions,
        ) -> Result<(Self, Loaded), Error> {
            let loaded = tuf::load_async(instance, Need::TrustedRoot, options).await?;
            Ok((
                Self::new(&loaded.trusted_root, VerifierConfig::default())?,
                loaded,
            ))
        }
    }
}

//! Signing contexts for Sigstore instances, with trust material over TUF.

use sigstore_http::HttpConfig;
use sigstore_trust::tuf::{self, LoadOptions, Loaded, Need};
use sigstore_trust::Instance;

use crate::{Error, SigningContext};

impl SigningContext {
    /// A signing context for Sigstore's production instance: its trusted root and signing
    /// config refreshed over TUF now (cached per user), like sigstore-python's
    /// `SigningContext.production()`. Rekor v1, as the production signing config says.
    pub async fn production() -> Result<Self, Error> {
        let options = LoadOptions::default();
        Ok(Self::for_instance(&Instance::Production, false, &options)
            .await?
            .0)
    }

    /// Like [`SigningContext::production`], for the staging instance.
    pub async fn staging() -> Result<Self, Error> {
        let options = LoadOptions::default();
        Ok(Self::for_instance(&Instance::Staging, false, &options)
            .await?
            .0)
    }

    /// A signing context for `instance`, its material loaded as `options` say (online over
    /// TUF, or offline from the cache, else the embedded copies), with the Rekor v2 signing
    /// config when `rekor_v2` and the instance publishes one; also what [`tuf::load`] reports
    /// about where the material came from. HTTP for signing uses `options.http`.
    pub async fn for_instance(
        instance: &Instance,
        rekor_v2: bool,
        options: &LoadOptions,
    ) -> Result<(Self, Loaded), Error> {
        let mut loaded = tuf::load_async(instance, Need::Signing { rekor_v2 }, options).await?;
        let config = loaded.signing_config.take().ok_or(Error::NoSigningConfig)?;
        let http: HttpConfig = options.http.clone();
        let context = Self::new(config.clone(), loaded.trusted_root.clone(), http)?;
        loaded.signing_config = Some(config);
        Ok((context, loaded))
    }
}

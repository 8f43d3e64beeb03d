//! Completing a bundle's log entry from the log (`sigstore plumbing fix-bundle`): old clients
//! wrote bundles whose entry has no inclusion proof with a checkpoint; the log still serves the
//! complete entry by its index. The bundle transformation is `sigstore_types`'
//! ([`Bundle::replace_log_entry`], [`Bundle::upgraded`]).

use sigstore_http::{HttpClient, HttpConfig};
use sigstore_rekor::client::RekorV1Client;
use sigstore_types::{Bundle, TrustedRoot};

use crate::Error;

/// Whether [`complete_log_entry`] has anything to do: the bundle's single log entry lacks an
/// inclusion proof with a checkpoint. A bundle without exactly one entry is unfixable.
pub fn needs_log_entry(bundle: &Bundle) -> Result<bool, Error> {
    Ok(bundle
        .repairable_entry()
        .map_err(Error::Repair)?
        .lacks_checkpoint())
}

/// Replaces the bundle's single log entry with the complete one its log serves at the same
/// index (Rekor v1 `GET /api/v1/log/entries?logIndex=`). The log is the trusted root's log
/// whose ID the entry names; the entry served must be the bundle's (same log ID, index and
/// body) and carry an inclusion proof with a checkpoint. Nothing is verified here.
pub async fn complete_log_entry(
    bundle: &mut Bundle,
    trusted_root: &TrustedRoot,
    http: HttpConfig,
) -> Result<(), Error> {
    let entry = bundle.repairable_entry().map_err(Error::Repair)?;
    let log = trusted_root
        .tlogs
        .iter()
        .find(|log| log.log_id == entry.log_id)
        .ok_or(Error::UnknownLog)?;
    let index = u64::try_from(entry.log_index)
        .map_err(|_| Error::Repair(sigstore_types::Error::Unfixable("negative log index")))?;
    let client = RekorV1Client::new(log.base_url.clone(), HttpClient::new(http)?);
    let complete = client
        .get_entry_by_index(index)
        .await
        .map_err(|source| Error::LogLookup {
            url: log.base_url.clone(),
            source,
        })?;
    bundle.replace_log_entry(complete).map_err(Error::Repair)
}

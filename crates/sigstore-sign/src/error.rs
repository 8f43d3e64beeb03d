//! The signing error.

use sigstore_types::Timestamp;

/// Everything that can stop a signing operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The instance's trust material could not be loaded.
    #[error("trust material: {0}")]
    Trust(#[from] sigstore_trust::Error),
    /// The instance's trust material has no signing config.
    #[error("the instance publishes no signing config")]
    NoSigningConfig,
    /// A selected service is plain `http://` on a host other than this machine.
    #[error(
        "the signing config's {kind} service {url:?} is not https (plain http is allowed only \
         for loopback hosts: 127.0.0.1, ::1, localhost)"
    )]
    InsecureService {
        /// `CA`, `OIDC`, `Rekor` or `TSA`.
        kind: &'static str,
        /// The URL (at most 200 characters).
        url: String,
    },
    /// No service of this kind is usable now.
    #[error("no valid {kind} service in the signing config")]
    NoValidService {
        /// `CA`, `Rekor` or `TSA`.
        kind: &'static str,
    },
    /// No Rekor log (of the version asked for) is usable now ([`crate::check_services`]).
    #[error("the signing config has no usable Rekor{version} log")]
    NoUsableRekorLog {
        /// ` vN` when a version was asked for, else empty.
        version: String,
    },
    /// The signing config cannot be used to sign ([`crate::check_services`]).
    #[error("the signing config is unusable")]
    UnusableSigningConfig(#[source] Box<Error>),
    /// The service selector is `SERVICE_SELECTOR_UNDEFINED` (or absent).
    #[error("the {kind} service selector is undefined")]
    SelectorUndefined {
        /// `Rekor` or `TSA`.
        kind: &'static str,
    },
    /// The service selector is not one this client knows.
    #[error("unknown {kind} service selector {name:?}")]
    UnknownSelector {
        /// `Rekor` or `TSA`.
        kind: &'static str,
        /// The selector name.
        name: String,
    },
    /// `EXACT` without a count.
    #[error("the {kind} EXACT selector has no count")]
    ExactCountMissing {
        /// `Rekor` or `TSA`.
        kind: &'static str,
    },
    /// `EXACT` asks for more services than are usable.
    #[error("the {kind} selector wants {wanted} services but {available} are usable")]
    NotEnoughServices {
        /// `Rekor` or `TSA`.
        kind: &'static str,
        /// The count asked for.
        wanted: u32,
        /// The number usable.
        available: usize,
    },
    /// The identity token cannot be used (malformed, wrong audience, expired, ...).
    #[error("unusable identity token")]
    Token(#[from] sigstore_oidc::Error),
    /// The trusted root cannot be used.
    #[error("the trusted root is unusable")]
    TrustedRoot(#[source] sigstore_verify::Error),
    /// The HTTP client cannot be built.
    #[error(transparent)]
    Http(#[from] sigstore_http::Error),
    /// Fulcio failed.
    #[error("Fulcio request failed")]
    Fulcio(#[from] sigstore_fulcio::client::ClientError),
    /// A Rekor upload failed.
    #[error("Rekor upload to {url} failed")]
    Rekor {
        /// The log URL.
        url: String,
        /// The cause.
        #[source]
        source: sigstore_rekor::client::ClientError,
    },
    /// The trusted root lists no Rekor v1 log whose key is valid now (detached signature
    /// lookup, [`crate::lookup::rekor_v1_log_url`]).
    #[error("the trusted root lists no Rekor v1 log valid now to look the log entry up in")]
    NoRekorV1Log,
    /// A log URL for detached signature lookups was given together with offline mode
    /// ([`crate::lookup::DetachedLookup::new`]).
    #[error("a log URL to look entries up in was given in offline mode, which looks nothing up")]
    LookupUrlOffline,
    /// The log URL given for detached signature lookups is not https (nor http to a loopback
    /// host).
    #[error("log URL {url}: not https (plain http only for loopback hosts)")]
    InsecureLookupUrl {
        /// The URL as given, control characters escaped.
        url: String,
    },
    /// A detached signature without its log entry, in offline mode.
    #[error(
        "a detached signature needs its log entry: give it (a .rekor file) to verify offline, \
         or look it up in Rekor online"
    )]
    DetachedOffline,
    /// No log to look a detached signature up in: none given and the trusted root names none.
    #[error(
        "{reason}; give a log URL to look the entry up in, or the entry itself (a .rekor file)"
    )]
    NoLookupLog {
        /// Why the trusted root names no usable log.
        reason: String,
    },
    /// Looking up a log entry (of a detached signature, or to repair a bundle) failed.
    #[error("log entry lookup at {url} failed")]
    LogLookup {
        /// The log URL.
        url: String,
        /// The cause.
        #[source]
        source: sigstore_rekor::client::ClientError,
    },
    /// The log holds no entry for a detached signature.
    #[error(
        "the log at {url} has no entry for this signature, certificate and artifact \
         (it was never logged there, or the artifact differs)"
    )]
    NoLogEntry {
        /// The log URL.
        url: String,
    },
    /// No entry the log returned for a detached signature verifies.
    #[error("the log entry from {url} does not verify ({count} returned): {reasons}")]
    LogEntryUnverified {
        /// The log URL.
        url: String,
        /// How many entries the log returned.
        count: usize,
        /// Why each failed.
        reasons: String,
    },
    /// A bundle cannot be repaired.
    #[error("cannot repair the bundle")]
    Repair(#[source] sigstore_types::Error),
    /// The bundle's log entry names a log the trusted root does not list.
    #[error("the bundle's log entry is from a log the trusted root does not list")]
    UnknownLog,
    /// Key generation or signing failed.
    #[error("signing failed")]
    Crypto(#[from] sigstore_crypto::Error),
    /// The certificate Fulcio returned does not parse or chain to the trusted root.
    #[error("the Fulcio certificate does not chain to the trusted root")]
    CertificateChain(#[source] sigstore_x509_policy::Error),
    /// The certificate's embedded SCT does not verify.
    #[error("the Fulcio certificate's embedded SCT does not verify")]
    Sct(#[source] sigstore_fulcio::Error),
    /// The certificate is for another key.
    #[error("the Fulcio certificate is for another public key")]
    CertificateKeyMismatch,
    /// The certificate's SAN is not the token's identity.
    #[error("the Fulcio certificate names {found:?}, the token {expected:?}")]
    IdentityMismatch {
        /// From the token.
        expected: String,
        /// From the certificate.
        found: String,
    },
    /// The certificate's issuer extension is not the token's issuer.
    #[error("the Fulcio certificate's issuer is {found:?}, the token's {expected:?}")]
    IssuerMismatch {
        /// From the token.
        expected: String,
        /// From the certificate.
        found: String,
    },
    /// The signing certificate has expired or expires too soon to finish; make a new signer.
    #[error("the signing certificate expires at {not_after}, too soon to sign; make a new signer")]
    CertificateExpired {
        /// The certificate's notAfter.
        not_after: Timestamp,
    },
    /// Rekor v2 needs a timestamp and no TSA gave one that verifies.
    #[error("no timestamp authority returned a timestamp that verifies (required for Rekor v2)")]
    NoTimestamp {
        /// The last TSA failure, if any TSA was asked.
        #[source]
        last: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The managed key cannot sign this (an Ed25519 DSSE envelope for Rekor v2, or a key
    /// type that does not sign).
    #[error("unsupported use of the key: {0}")]
    UnsupportedKeyUse(&'static str),
    /// The input cannot be signed (e.g. a digest that is not SHA-256).
    #[error("unsupported input: {0}")]
    UnsupportedInput(&'static str),
    /// The assembled bundle is structurally invalid.
    #[error("the assembled bundle is invalid")]
    Bundle(#[source] sigstore_types::Error),
    /// An output file exists and replacing it was not allowed ([`crate::write_all_atomic`],
    /// [`crate::check_outputs`]).
    #[error("{} already exists", .path.display())]
    OutputExists {
        /// The file.
        path: std::path::PathBuf,
    },
    /// A signing run without inputs.
    #[error("no input files")]
    NoInputs,
    /// A bundle path or a legacy detached output was given for several inputs.
    #[error("a bundle path and detached outputs take exactly one input")]
    OutputNeedsOneInput,
    /// A bundle path or a detached output, and an output directory were given.
    #[error("a bundle path or detached outputs and an output directory cannot be combined")]
    BundleWithOutputDirectory,
    /// A bundle path and "no default files" were given (a contradiction).
    #[error("a bundle path and no default files cannot be combined")]
    BundleWithNoDefaultFiles,
    /// An input path has no file name to name its output after.
    #[error("{}: not a file name", .path.display())]
    NotAFileName {
        /// The input.
        path: std::path::PathBuf,
    },
    /// Two outputs would have the same path.
    #[error("{} would be written twice (inputs with the same name?)", .path.display())]
    OutputTwice {
        /// The path.
        path: std::path::PathBuf,
    },
    /// An output would overwrite an input.
    #[error("{} is both an input and an output", .path.display())]
    OutputIsInput {
        /// The path.
        path: std::path::PathBuf,
    },
    /// A bundle cannot be written as the legacy material asked for.
    #[error(transparent)]
    LegacyOutput(sigstore_types::Error),
    /// An output path is a directory.
    #[error("{} is a directory", .path.display())]
    OutputIsDirectory {
        /// The path.
        path: std::path::PathBuf,
    },
    /// An output's directory does not exist.
    #[error("{}: the directory {} does not exist", .path.display(), .dir.display())]
    OutputDirectoryMissing {
        /// The file.
        path: std::path::PathBuf,
        /// Its directory.
        dir: std::path::PathBuf,
    },
    /// Writing an output file failed.
    #[error("{}: cannot write", .path.display())]
    OutputWrite {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The assembled bundle does not verify: nothing is returned.
    #[error("the signed bundle does not verify")]
    Verification(#[source] sigstore_verify::Error),
}

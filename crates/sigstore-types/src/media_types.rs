//! Media type strings of every Sigstore document this crate reads or writes.

/// Bundle v0.1.
pub const BUNDLE_V0_1: &str = "application/vnd.dev.sigstore.bundle+json;version=0.1";
/// Bundle v0.2.
pub const BUNDLE_V0_2: &str = "application/vnd.dev.sigstore.bundle+json;version=0.2";
/// Bundle v0.3, old spelling (accepted, not emitted by signers).
pub const BUNDLE_V0_3_LEGACY: &str = "application/vnd.dev.sigstore.bundle+json;version=0.3";
/// Bundle v0.3, current spelling (signers MUST emit this one).
pub const BUNDLE_V0_3: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Prefix of the generic bundle media type form `application/vnd.dev.sigstore.bundle.v<X.Y>+json`.
pub const BUNDLE_GENERIC_PREFIX: &str = "application/vnd.dev.sigstore.bundle.v";
/// Suffix of the generic bundle media type form.
pub const BUNDLE_GENERIC_SUFFIX: &str = "+json";

/// Trusted root v0.1, old spelling (what the production TUF repository serves).
pub const TRUSTED_ROOT_V0_1_LEGACY: &str =
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
/// Trusted root v0.1.
pub const TRUSTED_ROOT_V0_1: &str = "application/vnd.dev.sigstore.trustedroot.v0.1+json";
/// Trusted root v0.2 (adds `checkpointKeyId` and `operator`).
pub const TRUSTED_ROOT_V0_2: &str = "application/vnd.dev.sigstore.trustedroot.v0.2+json";

/// Signing config v0.2.
pub const SIGNING_CONFIG_V0_2: &str = "application/vnd.dev.sigstore.signingconfig.v0.2+json";

/// Client trust config v0.1 (trusted root and signing config together).
pub const CLIENT_TRUST_CONFIG_V0_1: &str =
    "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json";

/// DSSE payload type of in-toto statements.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// in-toto Statement v0.1 `_type`.
pub const IN_TOTO_STATEMENT_V0_1: &str = "https://in-toto.io/Statement/v0.1";
/// in-toto Statement v1 `_type`.
pub const IN_TOTO_STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

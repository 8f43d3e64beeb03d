use thiserror::Error;

/// Why the testkit refused a request or could not produce an artifact.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// An identity token was malformed, expired, for another audience or badly signed.
    #[error("identity token rejected: {0}")]
    Token(TokenError),
    /// A signature presented to a service (proof of possession, CSR, log entry) did not verify.
    #[error("signature does not verify: {0}")]
    Signature(sigstore_crypto::Error),
    /// A public key, certificate or request could not be parsed.
    #[error("malformed {what}")]
    Malformed {
        /// What could not be parsed.
        what: &'static str,
    },
    /// A request was well formed but asks for something the testkit does not support.
    #[error("unsupported: {what}")]
    Unsupported {
        /// What is not supported.
        what: &'static str,
    },
    /// DER encoding failed.
    #[error("DER encoding failed: {0}")]
    Der(#[from] der::Error),
    /// Reading or writing the output directory failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The log already holds this exact entry (Rekor answers 409 Conflict).
    #[error("entry already exists at log index {log_index}")]
    AlreadyExists {
        /// The existing entry's (global) index.
        log_index: i64,
    },
    /// An external OpenID provider could not be trusted: discovery failed, its discovery
    /// document names another issuer, or its JWKS has no usable key.
    #[error("cannot trust OIDC issuer {issuer}: {reason}")]
    Issuer {
        /// The issuer URL.
        issuer: String,
        /// What went wrong.
        reason: String,
    },
    /// No log entry with that index or UUID.
    #[error("no such log entry")]
    NotFound,
}

/// Why an identity token was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not three base64url parts of JSON.
    #[error("malformed JWT")]
    Malformed,
    /// The signature does not verify with the issuer's JWKS.
    #[error("bad signature")]
    BadSignature,
    /// `alg` or `kid` is not the issuer's.
    #[error("unknown key or algorithm")]
    UnknownKey,
    /// `iss` is not the testkit issuer (or the trusted external issuer checking the token).
    #[error("wrong issuer")]
    WrongIssuer,
    /// `aud` does not contain `sigstore`.
    #[error("wrong audience")]
    WrongAudience,
    /// `exp` has passed (or `nbf`/`iat` lie in the future).
    #[error("expired or not yet valid")]
    Expired,
    /// Neither `email` nor `sub` names an identity.
    #[error("no identity claim")]
    NoIdentity,
    /// `email_verified` is false.
    #[error("email not verified")]
    EmailNotVerified,
}

impl From<TokenError> for Error {
    fn from(e: TokenError) -> Self {
        Self::Token(e)
    }
}

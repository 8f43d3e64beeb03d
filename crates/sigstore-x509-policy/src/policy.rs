use const_oid::ObjectIdentifier;
use regex_automata::meta::Regex;

use crate::fulcio::{issuer, raw_extension, san, utf8_extension, SubjectAlternativeName};
use crate::{oids, Certificate, Error};

/// A check on the identity a verified leaf certificate attests.
pub trait VerificationPolicy: Send + Sync {
    /// Accepts or rejects `leaf`. Anything missing or unknown is a rejection.
    fn verify(&self, leaf: &Certificate) -> Result<(), PolicyError>;
}

impl<P: VerificationPolicy + ?Sized> VerificationPolicy for Box<P> {
    fn verify(&self, leaf: &Certificate) -> Result<(), PolicyError> {
        (**self).verify(leaf)
    }
}

/// Why a policy rejected a certificate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The certificate lacks the extension the policy checks.
    #[error("certificate has no {field} extension ({oid})")]
    MissingExtension {
        /// What the policy checks.
        field: &'static str,
        /// The extension looked for.
        oid: ObjectIdentifier,
    },
    /// A value differs from the expected one.
    #[error("{field} mismatch: expected {expected:?}, got {actual:?}")]
    Mismatch {
        /// What the policy checks.
        field: &'static str,
        /// The expected value.
        expected: String,
        /// The certificate's value.
        actual: String,
    },
    /// A value does not match the expected (fully anchored) regular expression.
    #[error("{field} mismatch: expected a match of {pattern:?}, got {actual:?}")]
    RegexMismatch {
        /// What the policy checks.
        field: &'static str,
        /// The pattern as given (matched against the whole value).
        pattern: String,
        /// The certificate's value.
        actual: String,
    },
    /// The certificate's SAN is not an email, URI or Fulcio username.
    #[error("certificate SAN is not an email, URI or username identity")]
    UnsupportedSan,
    /// An [`AllOf`] without policies accepts nothing.
    #[error("AllOf policy without policies")]
    EmptyAllOf,
    /// An [`AnyOf`] without policies accepts nothing.
    #[error("AnyOf policy without policies")]
    EmptyAnyOf,
    /// No alternative of an [`AnyOf`] accepted the certificate; one error per alternative.
    #[error("none of the {} alternative policies matched", .0.len())]
    NoneMatched(Vec<PolicyError>),
    /// The certificate's SAN or extensions could not be read.
    #[error("certificate: {0}")]
    Certificate(Box<Error>),
}

impl From<Error> for PolicyError {
    fn from(error: Error) -> Self {
        Self::Certificate(Box::new(error))
    }
}

/// How a policy compares a certificate value: exactly, or with a regular expression that must
/// match the whole value.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Byte-for-byte equality.
    Exact(String),
    /// A regular expression, anchored at both ends.
    Regex {
        /// The pattern as given.
        pattern: String,
        /// The compiled, anchored expression `\A(?:pattern)\z`.
        regex: Regex,
    },
}

/// Matches the SAN identity.
pub type IdentityMatcher = Matcher;
/// Matches the OIDC issuer.
pub type IssuerMatcher = Matcher;

impl Matcher {
    /// An exact matcher.
    pub fn exact(value: impl Into<String>) -> Self {
        Self::Exact(value.into())
    }

    /// A regex matcher. The pattern must match the whole value: it is compiled as
    /// `\A(?:pattern)\z`, so a substring match does not pass.
    ///
    /// The syntax is the `regex` crate's (RE2-like, linear time), Unicode-aware: `\w`, `\d`,
    /// `\s`, `\b` and `(?i)` follow Unicode. Unicode property classes (`\p{Greek}`, `\pL`) are
    /// not built in, and Unicode mode cannot be turned off (`(?-u)`): a pattern using either is
    /// refused as invalid, never matched loosely. The pattern is parsed on its own before it is
    /// anchored, so nothing in it (a `)`, a trailing `(?x)` comment) can reach the anchors.
    pub fn regex(pattern: &str) -> Result<Self, Error> {
        // The pattern is parsed on its own and anchored as an expression, so text such as
        // `a)|(.*` cannot close the anchoring group early.
        let regex =
            crate::pattern::compile_anchored(pattern).map_err(|reason| Error::InvalidRegex {
                pattern: pattern.to_owned(),
                reason,
            })?;
        Ok(Self::Regex {
            pattern: pattern.to_owned(),
            regex,
        })
    }

    /// Whether `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        match self {
            Self::Exact(expected) => expected == value,
            Self::Regex { regex, .. } => regex.is_match(value),
        }
    }

    fn check(&self, field: &'static str, actual: &str) -> Result<(), PolicyError> {
        if self.is_match(actual) {
            return Ok(());
        }
        Err(match self {
            Self::Exact(expected) => PolicyError::Mismatch {
                field,
                expected: expected.clone(),
                actual: actual.to_owned(),
            },
            Self::Regex { pattern, .. } => PolicyError::RegexMismatch {
                field,
                pattern: pattern.clone(),
                actual: actual.to_owned(),
            },
        })
    }
}

/// The signer's identity (the single SAN: email, URI or username) and OIDC issuer (`.1.8`,
/// else `.1.1`).
#[derive(Debug, Clone)]
pub struct Identity {
    identity: IdentityMatcher,
    issuer: IssuerMatcher,
}

impl Identity {
    /// Exact identity and exact issuer.
    pub fn new(identity: &str, issuer: &str) -> Self {
        Self::from_matchers(Matcher::exact(identity), Matcher::exact(issuer))
    }

    /// Identity matched by a fully anchored regex, exact issuer.
    pub fn regex(identity_regex: &str, issuer: &str) -> Result<Self, Error> {
        Ok(Self::from_matchers(
            Matcher::regex(identity_regex)?,
            Matcher::exact(issuer),
        ))
    }

    /// Identity and issuer both matched by fully anchored regexes.
    pub fn regex_with_issuer_regex(
        identity_regex: &str,
        issuer_regex: &str,
    ) -> Result<Self, Error> {
        Ok(Self::from_matchers(
            Matcher::regex(identity_regex)?,
            Matcher::regex(issuer_regex)?,
        ))
    }

    /// Any combination of matchers.
    pub fn from_matchers(identity: IdentityMatcher, issuer: IssuerMatcher) -> Self {
        Self { identity, issuer }
    }
}

impl VerificationPolicy for Identity {
    fn verify(&self, leaf: &Certificate) -> Result<(), PolicyError> {
        let name = san(leaf)?;
        let identity = match &name {
            SubjectAlternativeName::Email(s)
            | SubjectAlternativeName::Uri(s)
            | SubjectAlternativeName::OtherNameUsername(s) => s,
            SubjectAlternativeName::Other => return Err(PolicyError::UnsupportedSan),
        };
        self.identity.check("identity", identity)?;
        let actual = issuer(leaf)?.ok_or(PolicyError::MissingExtension {
            field: "OIDC issuer",
            oid: oids::FULCIO_ISSUER_V2,
        })?;
        self.issuer.check("OIDC issuer", &actual)
    }
}

/// The OIDC issuer alone (`.1.8`, else `.1.1`), compared exactly.
#[derive(Debug, Clone)]
pub struct OIDCIssuer {
    expected: String,
}

impl OIDCIssuer {
    /// Expects exactly `issuer`.
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            expected: issuer.into(),
        }
    }
}

impl VerificationPolicy for OIDCIssuer {
    fn verify(&self, leaf: &Certificate) -> Result<(), PolicyError> {
        let actual = issuer(leaf)?.ok_or(PolicyError::MissingExtension {
            field: "OIDC issuer",
            oid: oids::FULCIO_ISSUER_V2,
        })?;
        check_exact("OIDC issuer", &self.expected, &actual)
    }
}

fn check_exact(field: &'static str, expected: &str, actual: &str) -> Result<(), PolicyError> {
    if expected == actual {
        Ok(())
    } else {
        Err(PolicyError::Mismatch {
            field,
            expected: expected.to_owned(),
            actual: actual.to_owned(),
        })
    }
}

/// How an extension value is encoded.
#[derive(Clone, Copy)]
enum Encoding {
    Raw,
    Utf8,
}

fn read(
    cert: &Certificate,
    encoding: Encoding,
    oid: ObjectIdentifier,
) -> Result<Option<String>, Error> {
    match encoding {
        Encoding::Raw => raw_extension(cert, oid),
        Encoding::Utf8 => utf8_extension(cert, oid),
    }
}

/// Compares one extension (with an optional fallback extension when the first is absent).
fn check_extension(
    leaf: &Certificate,
    field: &'static str,
    expected: &str,
    primary: (Encoding, ObjectIdentifier),
    fallback: Option<(Encoding, ObjectIdentifier)>,
) -> Result<(), PolicyError> {
    let mut actual = read(leaf, primary.0, primary.1)?;
    if actual.is_none() {
        if let Some((encoding, oid)) = fallback {
            actual = read(leaf, encoding, oid)?;
        }
    }
    let actual = actual.ok_or(PolicyError::MissingExtension {
        field,
        oid: primary.1,
    })?;
    check_exact(field, expected, &actual)
}

macro_rules! extension_policies {
    ($(
        $(#[$doc:meta])*
        $name:ident: $field:literal, $enc:ident $oid:expr $(, fallback $fenc:ident $foid:expr)?;
    )*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            expected: String,
        }

        impl $name {
            /// Expects exactly `expected`.
            pub fn new(expected: impl Into<String>) -> Self {
                Self { expected: expected.into() }
            }
        }

        impl VerificationPolicy for $name {
            fn verify(&self, leaf: &Certificate) -> Result<(), PolicyError> {
                #[allow(unused_mut, unused_assignments)]
                let mut fallback = None;
                $(fallback = Some((Encoding::$fenc, $foid));)?
                check_extension(leaf, $field, &self.expected, (Encoding::$enc, $oid), fallback)
            }
        }
    )*};
}

extension_policies! {
    /// GitHub Workflow Trigger (`.1.2`), else Build Trigger (`.1.20`, the same `event_name` claim).
    GitHubWorkflowTrigger: "GitHub workflow trigger", Raw oids::GITHUB_WORKFLOW_TRIGGER,
        fallback Utf8 oids::BUILD_TRIGGER;
    /// GitHub Workflow SHA (`.1.3`), else Source Repository Digest (`.1.13`, the same `sha` claim).
    GitHubWorkflowSHA: "GitHub workflow SHA", Raw oids::GITHUB_WORKFLOW_SHA,
        fallback Utf8 oids::SOURCE_REPOSITORY_DIGEST;
    /// GitHub Workflow Name (`.1.4`).
    GitHubWorkflowName: "GitHub workflow name", Raw oids::GITHUB_WORKFLOW_NAME;
    /// GitHub Workflow Repository (`.1.5`).
    GitHubWorkflowRepository: "GitHub workflow repository", Raw oids::GITHUB_WORKFLOW_REPOSITORY;
    /// GitHub Workflow Ref (`.1.6`), else Source Repository Ref (`.1.14`, the same `ref` claim).
    GitHubWorkflowRef: "GitHub workflow ref", Raw oids::GITHUB_WORKFLOW_REF,
        fallback Utf8 oids::SOURCE_REPOSITORY_REF;
    /// Build Signer URI (`.1.9`).
    BuildSignerURI: "build signer URI", Utf8 oids::BUILD_SIGNER_URI;
    /// Build Signer Digest (`.1.10`).
    BuildSignerDigest: "build signer digest", Utf8 oids::BUILD_SIGNER_DIGEST;
    /// Runner Environment (`.1.11`).
    RunnerEnvironment: "runner environment", Utf8 oids::RUNNER_ENVIRONMENT;
    /// Source Repository URI (`.1.12`).
    SourceRepositoryURI: "source repository URI", Utf8 oids::SOURCE_REPOSITORY_URI;
    /// Source Repository Digest (`.1.13`).
    SourceRepositoryDigest: "source repository digest", Utf8 oids::SOURCE_REPOSITORY_DIGEST;
    /// Source Repository Ref (`.1.14`).
    SourceRepositoryRef: "source repository ref", Utf8 oids::SOURCE_REPOSITORY_REF;
    /// Source Repository Identifier (`.1.15`).
    SourceRepositoryIdentifier: "source repository identifier", Utf8 oids::SOURCE_REPOSITORY_IDENTIFIER;
    /// Source Repository Owner URI (`.1.16`).
    SourceRepositoryOwnerURI: "source repository owner URI", Utf8 oids::SOURCE_REPOSITORY_OWNER_URI;
    /// Source Repository Owner Identifier (`.1.17`).
    SourceRepositoryOwnerIdentifier: "source repository owner identifier",
        Utf8 oids::SOURCE_REPOSITORY_OWNER_IDENTIFIER;
    /// Build Config URI (`.1.18`).
    BuildConfigURI: "build config URI", Utf8 oids::BUILD_CONFIG_URI;
    /// Build Config Digest (`.1.19`).
    BuildConfigDigest: "build config digest", Utf8 oids::BUILD_CONFIG_DIGEST;
    /// Build Trigger (`.1.20`).
    BuildTrigger: "build trigger", Utf8 oids::BUILD_TRIGGER;
    /// Run Invocation URI (`.1.21`).
    RunInvocationURI: "run invocation URI", Utf8 oids::RUN_INVOCATION_URI;
    /// Source Repository Visibility At Signing (`.1.22`).
    SourceRepositoryVisibilityAtSigning: "source repository visibility at signing",
        Utf8 oids::SOURCE_REPOSITORY_VISIBILITY_AT_SIGNING;
    /// Deployment Environment (`.1.23`).
    DeploymentEnvironment: "deployment environment", Utf8 oids::DEPLOYMENT_ENVIRONMENT;
    /// Token Subject (`.1.24`).
    TokenSubject: "token subject", Utf8 oids::TOKEN_SUBJECT;
}

/// Accepts when every policy accepts. Without policies it accepts nothing.
pub struct AllOf {
    policies: Vec<Box<dyn VerificationPolicy>>,
}

impl AllOf {
    /// All of `policies` must accept.
    pub fn new(policies: Vec<Box<dyn VerificationPolicy>>) -> Self {
        Self { policies }
    }
}

impl VerificationPolicy for AllOf {
    fn verify(&self, leaf: &Certificate) -> Result<(), PolicyError> {
        if self.policies.is_empty() {
            return Err(PolicyError::EmptyAllOf);
        }
        self.policies.iter().try_for_each(|p| p.verify(leaf))
    }
}

/// Accepts when at least one policy accepts. Without policies it accepts nothing.
pub struct AnyOf {
    policies: Vec<Box<dyn VerificationPolicy>>,
}

impl AnyOf {
    /// At least one of `policies` must accept.
    pub fn new(policies: Vec<Box<dyn VerificationPolicy>>) -> Self {
        Self { policies }
    }
}

impl VerificationPolicy for AnyOf {
    fn verify(&self, leaf: &Certificate) -> Result<(), PolicyError> {
        if self.policies.is_empty() {
            return Err(PolicyError::EmptyAnyOf);
        }
        let mut errors = Vec::with_capacity(self.policies.len());
        for policy in &self.policies {
            match policy.verify(leaf) {
                Ok(()) => return Ok(()),
                Err(e) => errors.push(e),
            }
        }
        Err(PolicyError::NoneMatched(errors))
    }
}

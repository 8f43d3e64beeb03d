//! Object identifiers used by Sigstore certificates: the Fulcio extensions
//! (`1.3.6.1.4.1.57264.1.x`), standard X.509 extensions, key purposes and algorithms.

use const_oid::ObjectIdentifier;

macro_rules! oids {
    ($($(#[$doc:meta])* $name:ident = $value:literal;)*) => {
        $($(#[$doc])* pub const $name: ObjectIdentifier = ObjectIdentifier::new_unwrap($value);)*
    };
}

oids! {
    /// Issuer (deprecated, raw bytes): `1.3.6.1.4.1.57264.1.1`.
    FULCIO_ISSUER = "1.3.6.1.4.1.57264.1.1";
    /// GitHub Workflow Trigger (deprecated, raw bytes): `1.3.6.1.4.1.57264.1.2`.
    GITHUB_WORKFLOW_TRIGGER = "1.3.6.1.4.1.57264.1.2";
    /// GitHub Workflow SHA (deprecated, raw bytes): `1.3.6.1.4.1.57264.1.3`.
    GITHUB_WORKFLOW_SHA = "1.3.6.1.4.1.57264.1.3";
    /// GitHub Workflow Name (deprecated, raw bytes): `1.3.6.1.4.1.57264.1.4`.
    GITHUB_WORKFLOW_NAME = "1.3.6.1.4.1.57264.1.4";
    /// GitHub Workflow Repository (deprecated, raw bytes): `1.3.6.1.4.1.57264.1.5`.
    GITHUB_WORKFLOW_REPOSITORY = "1.3.6.1.4.1.57264.1.5";
    /// GitHub Workflow Ref (deprecated, raw bytes): `1.3.6.1.4.1.57264.1.6`.
    GITHUB_WORKFLOW_REF = "1.3.6.1.4.1.57264.1.6";
    /// OtherName SAN type-id for username identities: `1.3.6.1.4.1.57264.1.7`.
    OTHERNAME_SAN = "1.3.6.1.4.1.57264.1.7";
    /// Issuer (V2, DER UTF8String): `1.3.6.1.4.1.57264.1.8`.
    FULCIO_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
    /// Build Signer URI: `1.3.6.1.4.1.57264.1.9`.
    BUILD_SIGNER_URI = "1.3.6.1.4.1.57264.1.9";
    /// Build Signer Digest: `1.3.6.1.4.1.57264.1.10`.
    BUILD_SIGNER_DIGEST = "1.3.6.1.4.1.57264.1.10";
    /// Runner Environment: `1.3.6.1.4.1.57264.1.11`.
    RUNNER_ENVIRONMENT = "1.3.6.1.4.1.57264.1.11";
    /// Source Repository URI: `1.3.6.1.4.1.57264.1.12`.
    SOURCE_REPOSITORY_URI = "1.3.6.1.4.1.57264.1.12";
    /// Source Repository Digest: `1.3.6.1.4.1.57264.1.13`.
    SOURCE_REPOSITORY_DIGEST = "1.3.6.1.4.1.57264.1.13";
    /// Source Repository Ref: `1.3.6.1.4.1.57264.1.14`.
    SOURCE_REPOSITORY_REF = "1.3.6.1.4.1.57264.1.14";
    /// Source Repository Identifier: `1.3.6.1.4.1.57264.1.15`.
    SOURCE_REPOSITORY_IDENTIFIER = "1.3.6.1.4.1.57264.1.15";
    /// Source Repository Owner URI: `1.3.6.1.4.1.57264.1.16`.
    SOURCE_REPOSITORY_OWNER_URI = "1.3.6.1.4.1.57264.1.16";
    /// Source Repository Owner Identifier: `1.3.6.1.4.1.57264.1.17`.
    SOURCE_REPOSITORY_OWNER_IDENTIFIER = "1.3.6.1.4.1.57264.1.17";
    /// Build Config URI: `1.3.6.1.4.1.57264.1.18`.
    BUILD_CONFIG_URI = "1.3.6.1.4.1.57264.1.18";
    /// Build Config Digest: `1.3.6.1.4.1.57264.1.19`.
    BUILD_CONFIG_DIGEST = "1.3.6.1.4.1.57264.1.19";
    /// Build Trigger: `1.3.6.1.4.1.57264.1.20`.
    BUILD_TRIGGER = "1.3.6.1.4.1.57264.1.20";
    /// Run Invocation URI: `1.3.6.1.4.1.57264.1.21`.
    RUN_INVOCATION_URI = "1.3.6.1.4.1.57264.1.21";
    /// Source Repository Visibility At Signing: `1.3.6.1.4.1.57264.1.22`.
    SOURCE_REPOSITORY_VISIBILITY_AT_SIGNING = "1.3.6.1.4.1.57264.1.22";
    /// Deployment Environment: `1.3.6.1.4.1.57264.1.23`.
    DEPLOYMENT_ENVIRONMENT = "1.3.6.1.4.1.57264.1.23";
    /// Token Subject (the raw `sub` claim): `1.3.6.1.4.1.57264.1.24`.
    TOKEN_SUBJECT = "1.3.6.1.4.1.57264.1.24";
    /// Sigstore TSA policy OID (not a certificate extension): `1.3.6.1.4.1.57264.2`.
    SIGSTORE_TSA_POLICY = "1.3.6.1.4.1.57264.2";

    /// Subject Key Identifier: `2.5.29.14`.
    SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
    /// Key Usage: `2.5.29.15`.
    KEY_USAGE = "2.5.29.15";
    /// Subject Alternative Name: `2.5.29.17`.
    SUBJECT_ALT_NAME = "2.5.29.17";
    /// Basic Constraints: `2.5.29.19`.
    BASIC_CONSTRAINTS = "2.5.29.19";
    /// Authority Key Identifier: `2.5.29.35`.
    AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";
    /// Extended Key Usage: `2.5.29.37`.
    EXTENDED_KEY_USAGE = "2.5.29.37";
    /// anyExtendedKeyUsage: `2.5.29.37.0`.
    ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
    /// CT embedded SCT list: `1.3.6.1.4.1.11129.2.4.2`.
    CT_SCT_LIST = "1.3.6.1.4.1.11129.2.4.2";
    /// CT precertificate poison: `1.3.6.1.4.1.11129.2.4.3`.
    CT_PRECERT_POISON = "1.3.6.1.4.1.11129.2.4.3";
    /// CT precertificate signing EKU: `1.3.6.1.4.1.11129.2.4.4`.
    CT_PRECERT_SIGNING = "1.3.6.1.4.1.11129.2.4.4";

    /// codeSigning key purpose: `1.3.6.1.5.5.7.3.3`.
    CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
    /// timeStamping key purpose: `1.3.6.1.5.5.7.3.8`.
    TIME_STAMPING = "1.3.6.1.5.5.7.3.8";

    /// id-ecPublicKey: `1.2.840.10045.2.1`.
    EC_PUBLIC_KEY = "1.2.840.10045.2.1";
    /// NIST P-256 (secp256r1): `1.2.840.10045.3.1.7`.
    SECP256R1 = "1.2.840.10045.3.1.7";
    /// NIST P-384 (secp384r1): `1.3.132.0.34`.
    SECP384R1 = "1.3.132.0.34";
    /// Ed25519: `1.3.101.112`.
    ED25519 = "1.3.101.112";
    /// ecdsa-with-SHA256: `1.2.840.10045.4.3.2`.
    ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    /// ecdsa-with-SHA384: `1.2.840.10045.4.3.3`.
    ECDSA_WITH_SHA384 = "1.2.840.10045.4.3.3";
    /// ecdsa-with-SHA512: `1.2.840.10045.4.3.4`.
    ECDSA_WITH_SHA512 = "1.2.840.10045.4.3.4";
    /// rsaEncryption: `1.2.840.113549.1.1.1`.
    RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
    /// id-mgf1: `1.2.840.113549.1.1.8`.
    MGF1 = "1.2.840.113549.1.1.8";
    /// RSASSA-PSS: `1.2.840.113549.1.1.10`.
    RSASSA_PSS = "1.2.840.113549.1.1.10";
    /// sha256WithRSAEncryption: `1.2.840.113549.1.1.11`.
    SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
    /// sha384WithRSAEncryption: `1.2.840.113549.1.1.12`.
    SHA384_WITH_RSA = "1.2.840.113549.1.1.12";
    /// sha512WithRSAEncryption: `1.2.840.113549.1.1.13`.
    SHA512_WITH_RSA = "1.2.840.113549.1.1.13";
    /// SHA-256: `2.16.840.1.101.3.4.2.1`.
    SHA256 = "2.16.840.1.101.3.4.2.1";
    /// SHA-384: `2.16.840.1.101.3.4.2.2`.
    SHA384 = "2.16.840.1.101.3.4.2.2";
    /// SHA-512: `2.16.840.1.101.3.4.2.3`.
    SHA512 = "2.16.840.1.101.3.4.2.3";
}

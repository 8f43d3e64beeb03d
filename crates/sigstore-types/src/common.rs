//! Enumerations shared by bundles and trust material (`dev.sigstore.common.v1`).
//!
//! Unknown names parse to an `Unknown` variant instead of failing: a document using a newer
//! value stays readable, and the value fails only where it is used.

use crate::wire::EnumValue;

macro_rules! proto_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = ($json:literal, $num:literal), )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A name (or number) this library does not know; fails where it is used.
            Unknown(String),
        }

        impl $name {
            /// The protobuf-JSON name of this value (the original text for `Unknown`).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $json, )*
                    Self::Unknown(name) => name,
                }
            }

            /// Parses a protobuf-JSON name; unknown names give `Unknown`.
            pub fn parse(name: &str) -> Self {
                match name {
                    $( $json => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// The value with protobuf enum number `number`; unknown numbers give `Unknown`
            /// holding the decimal number.
            pub fn from_number(number: i64) -> Self {
                match number {
                    $( $num => Self::$variant, )*
                    other => Self::Unknown(other.to_string()),
                }
            }

            pub(crate) fn from_wire(value: &Option<EnumValue>) -> Self {
                match value {
                    None => Self::from_number(0),
                    Some(EnumValue::Name(name)) => Self::parse(name),
                    Some(EnumValue::Number(n)) => Self::from_number(*n),
                }
            }

            /// `None` for the zero value (proto3 omits defaults).
            pub(crate) fn to_wire(&self) -> Option<EnumValue> {
                (*self != Self::from_number(0)).then(|| EnumValue::Name(self.as_str().to_owned()))
            }
        }

        impl core::str::FromStr for $name {
            type Err = core::convert::Infallible;

            /// Same as the inherent `parse`: never fails, unknown names give `Unknown`.
            fn from_str(name: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(name))
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

proto_enum! {
    /// A hash algorithm (`HashAlgorithm`). JSON names `SHA2_256`, `SHA2_384`, ...
    pub enum HashAlgorithm {
        /// `HASH_ALGORITHM_UNSPECIFIED` (0): absent or unset.
        Unspecified = ("HASH_ALGORITHM_UNSPECIFIED", 0),
        /// `SHA2_256`.
        Sha2_256 = ("SHA2_256", 1),
        /// `SHA2_384`.
        Sha2_384 = ("SHA2_384", 2),
        /// `SHA2_512`.
        Sha2_512 = ("SHA2_512", 3),
        /// `SHA3_256` (deprecated).
        Sha3_256 = ("SHA3_256", 4),
        /// `SHA3_384` (deprecated).
        Sha3_384 = ("SHA3_384", 5),
    }
}

proto_enum! {
    /// Key encoding and signature algorithm of a public key (`PublicKeyDetails`).
    pub enum PublicKeyDetails {
        /// `PUBLIC_KEY_DETAILS_UNSPECIFIED` (0): absent or unset.
        Unspecified = ("PUBLIC_KEY_DETAILS_UNSPECIFIED", 0),
        /// `PKCS1_RSA_PKCS1V5` (deprecated).
        Pkcs1RsaPkcs1v5 = ("PKCS1_RSA_PKCS1V5", 1),
        /// `PKCS1_RSA_PSS` (deprecated).
        Pkcs1RsaPss = ("PKCS1_RSA_PSS", 2),
        /// `PKIX_RSA_PKCS1V5` (deprecated).
        PkixRsaPkcs1v5 = ("PKIX_RSA_PKCS1V5", 3),
        /// `PKIX_RSA_PSS` (deprecated).
        PkixRsaPss = ("PKIX_RSA_PSS", 4),
        /// `PKIX_RSA_PKCS1V15_2048_SHA256`.
        PkixRsaPkcs1v15_2048Sha256 = ("PKIX_RSA_PKCS1V15_2048_SHA256", 9),
        /// `PKIX_RSA_PKCS1V15_3072_SHA256`.
        PkixRsaPkcs1v15_3072Sha256 = ("PKIX_RSA_PKCS1V15_3072_SHA256", 10),
        /// `PKIX_RSA_PKCS1V15_4096_SHA256`.
        PkixRsaPkcs1v15_4096Sha256 = ("PKIX_RSA_PKCS1V15_4096_SHA256", 11),
        /// `PKIX_RSA_PSS_2048_SHA256`.
        PkixRsaPss2048Sha256 = ("PKIX_RSA_PSS_2048_SHA256", 16),
        /// `PKIX_RSA_PSS_3072_SHA256`.
        PkixRsaPss3072Sha256 = ("PKIX_RSA_PSS_3072_SHA256", 17),
        /// `PKIX_RSA_PSS_4096_SHA256`.
        PkixRsaPss4096Sha256 = ("PKIX_RSA_PSS_4096_SHA256", 18),
        /// `PKIX_ECDSA_P256_HMAC_SHA_256` (deprecated).
        PkixEcdsaP256HmacSha256 = ("PKIX_ECDSA_P256_HMAC_SHA_256", 6),
        /// `PKIX_ECDSA_P256_SHA_256`.
        PkixEcdsaP256Sha256 = ("PKIX_ECDSA_P256_SHA_256", 5),
        /// `PKIX_ECDSA_P384_SHA_384`.
        PkixEcdsaP384Sha384 = ("PKIX_ECDSA_P384_SHA_384", 12),
        /// `PKIX_ECDSA_P521_SHA_512`.
        PkixEcdsaP521Sha512 = ("PKIX_ECDSA_P521_SHA_512", 13),
        /// `PKIX_ED25519` (pure Ed25519).
        PkixEd25519 = ("PKIX_ED25519", 7),
        /// `PKIX_ED25519_PH` (Ed25519ph over SHA-512).
        PkixEd25519Ph = ("PKIX_ED25519_PH", 8),
        /// `PKIX_ECDSA_P384_SHA_256` (deprecated).
        PkixEcdsaP384Sha256 = ("PKIX_ECDSA_P384_SHA_256", 19),
        /// `PKIX_ECDSA_P521_SHA_256` (deprecated).
        PkixEcdsaP521Sha256 = ("PKIX_ECDSA_P521_SHA_256", 20),
        /// `LMS_SHA256` (deprecated).
        LmsSha256 = ("LMS_SHA256", 14),
        /// `LMOTS_SHA256` (deprecated).
        LmotsSha256 = ("LMOTS_SHA256", 15),
        /// `ML_DSA_65` (experimental).
        MlDsa65 = ("ML_DSA_65", 21),
        /// `ML_DSA_87` (experimental).
        MlDsa87 = ("ML_DSA_87", 22),
        /// `ML_DSA_44` (experimental).
        MlDsa44 = ("ML_DSA_44", 23),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (name, value) in [
            ("SHA2_256", HashAlgorithm::Sha2_256),
            ("SHA2_384", HashAlgorithm::Sha2_384),
            ("SHA2_512", HashAlgorithm::Sha2_512),
            ("HASH_ALGORITHM_UNSPECIFIED", HashAlgorithm::Unspecified),
        ] {
            assert_eq!(HashAlgorithm::parse(name), value);
            assert_eq!(value.as_str(), name);
        }
        assert_eq!(
            HashAlgorithm::parse("SHA4_1"),
            HashAlgorithm::Unknown("SHA4_1".into())
        );
        assert_eq!(HashAlgorithm::from_number(3), HashAlgorithm::Sha2_512);
        assert_eq!(
            PublicKeyDetails::parse("PKIX_ECDSA_P256_SHA_256"),
            PublicKeyDetails::PkixEcdsaP256Sha256
        );
        assert_eq!(
            PublicKeyDetails::from_number(8),
            PublicKeyDetails::PkixEd25519Ph
        );
        assert_eq!(
            PublicKeyDetails::PkixRsaPkcs1v15_4096Sha256.as_str(),
            "PKIX_RSA_PKCS1V15_4096_SHA256"
        );
        assert_eq!(
            PublicKeyDetails::from_number(99),
            PublicKeyDetails::Unknown("99".into())
        );
    }
}

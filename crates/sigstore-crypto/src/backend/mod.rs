//! The primitive implementations. Exactly one backend is compiled in; both expose the same
//! crate-internal surface: `NAME`, `HasherInner`, `ParsedKey` and `SigningInner`.

#[cfg(feature = "aws-lc")]
mod awslc;
#[cfg(feature = "aws-lc")]
pub(crate) use awslc::{HasherInner, ParsedKey, SigningInner, NAME};

#[cfg(not(feature = "aws-lc"))]
mod rustcrypto;
#[cfg(not(feature = "aws-lc"))]
pub(crate) use rustcrypto::{HasherInner, ParsedKey, SigningInner, NAME};

/// Everything that can go wrong when parsing Sigstore data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A time is not an RFC 3339 date-time.
    #[error("invalid RFC 3339 timestamp {0:?}")]
    InvalidTimestamp(String),
}

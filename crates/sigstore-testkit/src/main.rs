//! `sigstore-testkit serve`.
fn main() {}

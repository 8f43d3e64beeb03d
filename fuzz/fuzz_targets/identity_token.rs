//! JWT identity tokens: unverified claim decoding with the default and a custom audience, and
//! the identity accessors on what parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigstore_oidc::IdentityToken;

fuzz_target!(|data: &[u8]| {
    let Ok(jwt) = std::str::from_utf8(data) else {
        return;
    };
    let now = sigstore_fuzz::at(1_750_000_000);
    for token in [
        IdentityToken::parse(jwt, now),
        IdentityToken::parse_with_audience(jwt, "sigstore-private", now),
    ]
    .into_iter()
    .flatten()
    {
        assert!(token.is_valid_at(now));
        assert!(!token.identity().is_empty());
        let _ = token.expected_san();
        let _ = token.acceptable_sans();
        let _ = token.expected_issuer();
        let _ = token.is_email_identity();
        let _ = format!("{token:?}");
    }
});

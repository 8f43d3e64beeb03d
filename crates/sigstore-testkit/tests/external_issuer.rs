//! Fulcio trusting OpenID providers besides the testkit's own issuer: RS256 and ES256 keys from
//! a JWKS, discovery, every rejection, and (with the local stack) a real provider's token.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a test failure

use std::collections::BTreeMap;
use std::sync::OnceLock;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rsa::traits::PublicKeyParts as _;
use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256};
use sigstore_crypto::{HashAlgorithm, SigningKey};
use sigstore_testkit::{
    system_now, Error, ExternalIssuer, LogVerifier, Testkit, TestkitOptions, TokenError,
    VirtualSigstore,
};
use sigstore_types::bundle::{
    BundleContent, MessageDigest, MessageSignature, VerificationMaterial,
    VerificationMaterialContent,
};
use sigstore_types::encoding::{pem_decode, pem_encode};
use sigstore_types::{Bundle, BundleVersion, Timestamp};
use sigstore_verify::{Artifact, Policy, Verifier, VerifierConfig};
use sigstore_x509_policy::{Certificate, FulcioExtensions, SubjectAlternativeName};

const ISSUER: &str = "https://idp.example.test";
const EMAIL: &str = "carol@example.test";
const ARTIFACT: &[u8] = b"signed with an external identity\n";

// ----- a fake external provider: one RSA and one P-256 key -----

/// One RSA-2048 key per test binary (generation is slow in debug builds).
fn rsa_key() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap())
}

struct Provider {
    ec: p256::ecdsa::SigningKey,
}

impl Provider {
    fn new() -> Self {
        Self {
            ec: p256::ecdsa::SigningKey::random(&mut rand_core::OsRng),
        }
    }

    fn rsa_jwk(&self, kid: &str) -> Value {
        let public = rsa_key().to_public_key();
        json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
               "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
               "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be())})
    }

    fn ec_jwk(&self, kid: &str) -> Value {
        let point = self.ec.verifying_key().to_encoded_point(false);
        json!({"kty": "EC", "crv": "P-256", "kid": kid,
               "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
               "y": URL_SAFE_NO_PAD.encode(point.y().unwrap())})
    }

    fn jwks(&self) -> Value {
        json!({"keys": [self.rsa_jwk("rsa-1"), self.ec_jwk("ec-1")]})
    }

    /// A JWS with `header` over `claims`, signed by the key `alg` names (`none` and others:
    /// an empty signature).
    fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = match header["alg"].as_str() {
            Some("RS256") => {
                use rsa::signature::{SignatureEncoding as _, Signer as _};
                rsa::pkcs1v15::SigningKey::<Sha256>::new(rsa_key().clone())
                    .sign(input.as_bytes())
                    .to_vec()
            }
            Some("ES256") => {
                use p256::ecdsa::signature::Signer as _;
                let signature: p256::ecdsa::Signature = self.ec.sign(input.as_bytes());
                signature.to_bytes().to_vec()
            }
            _ => Vec::new(),
        };
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

fn claims(now: Timestamp) -> Value {
    let t = now.unix_seconds();
    json!({"iss": ISSUER, "aud": "sigstore", "sub": "carol", "email": EMAIL,
           "email_verified": true, "iat": t, "nbf": t, "exp": t + 600})
}

fn rs256() -> Value {
    json!({"alg": "RS256", "kid": "rsa-1", "typ": "JWT"})
}

// ----- Fulcio over HTTP -----

struct Reply {
    status: u16,
    body: Value,
}

/// `POST /api/v2/signingCert` with a fresh P-256 key and a proof of possession over `subject`.
async fn request_certificate(kit: &Testkit, token: &str, subject: &str) -> (Reply, SigningKey) {
    let key = SigningKey::generate().unwrap();
    let request = json!({
        "credentials": {"oidcIdentityToken": token},
        "publicKeyRequest": {
            "publicKey": {"algorithm": "ECDSA",
                          "content": pem_encode(key.public_key().spki_der(), "PUBLIC KEY")},
            "proofOfPossession": STANDARD.encode(key.sign(subject.as_bytes()))}});
    let response = reqwest::Client::new()
        .post(format!("{}/api/v2/signingCert", kit.urls().fulcio))
        .json(&request)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (Reply { status, body }, key)
}

fn chain(reply: &Reply) -> Vec<Vec<u8>> {
    reply.body["signedCertificateEmbeddedSct"]["chain"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pem| pem_decode(pem.as_str().unwrap().as_bytes(), "CERTIFICATE").unwrap())
        .collect()
}

/// The leaf's SAN email and issuer extension.
fn identity_of(leaf: &[u8]) -> (String, String) {
    let cert = Certificate::from_der(leaf).unwrap();
    let SubjectAlternativeName::Email(email) = sigstore_x509_policy::san(&cert).unwrap() else {
        panic!("the SAN is not an email");
    };
    let issuer = FulcioExtensions::from_certificate(&cert)
        .unwrap()
        .issuer
        .unwrap();
    (email, issuer)
}

/// Signs [`ARTIFACT`], logs it in the kit's Rekor v1 and verifies the bundle with the policy
/// `email` from `issuer`.
fn sign_and_verify(
    sigstore: &VirtualSigstore,
    leaf: Vec<u8>,
    key: &SigningKey,
    email: &str,
    issuer: &str,
) {
    let signature = key.sign(ARTIFACT);
    let digest = HashAlgorithm::Sha256.digest(ARTIFACT);
    let entry = sigstore
        .rekor_v1_add_hashedrekord(
            LogVerifier::Certificate(&leaf),
            &signature,
            &digest,
            system_now(),
        )
        .unwrap();
    let bundle = Bundle {
        media_type: BundleVersion::V0_3.media_type().to_owned(),
        version: BundleVersion::V0_3,
        verification_material: VerificationMaterial {
            content: VerificationMaterialContent::Certificate(leaf),
            tlog_entries: vec![entry],
            rfc3161_timestamps: vec![],
        },
        content: BundleContent::MessageSignature(MessageSignature {
            message_digest: Some(MessageDigest {
                algorithm: sigstore_types::HashAlgorithm::Sha2_256,
                digest: digest.as_bytes().to_vec(),
            }),
            signature,
        }),
    };
    let bundle = Bundle::from_json(bundle.to_json().as_bytes()).unwrap();
    let verifier =
        Verifier::new(&sigstore.trusted_root().unwrap(), VerifierConfig::default()).unwrap();
    let policy = Policy::identity(sigstore_x509_policy::Identity::new(email, issuer));
    verifier
        .verify(&bundle, Artifact::Bytes(ARTIFACT), &policy)
        .unwrap();
    // Another issuer for the same email does not pass.
    let other = Policy::identity(sigstore_x509_policy::Identity::new(
        email,
        "https://other.example.test",
    ));
    assert!(verifier
        .verify(&bundle, Artifact::Bytes(ARTIFACT), &other)
        .is_err());
}

#[tokio::test]
async fn rs256_and_es256_tokens_of_a_trusted_issuer_get_certificates() {
    let provider = Provider::new();
    let external = ExternalIssuer::from_jwks(ISSUER, &provider.jwks()).unwrap();
    assert_eq!(external.issuer(), ISSUER);
    assert_eq!(external.key_ids(), ["rsa-1", "ec-1"]);
    let kit = Testkit::start_with(TestkitOptions {
        port: 0,
        external_issuers: vec![external],
    })
    .await
    .unwrap();
    assert_eq!(kit.sigstore().trusted_issuers(), [ISSUER]);

    let now = system_now();
    for header in [rs256(), json!({"alg": "ES256", "kid": "ec-1"})] {
        let token = provider.sign(&header, &claims(now));
        let (reply, key) = request_certificate(&kit, &token, EMAIL).await;
        assert_eq!(reply.status, 201, "{header}: {}", reply.body);
        let chain = chain(&reply);
        assert_eq!(chain.len(), 3);
        assert_eq!(
            identity_of(&chain[0]),
            (EMAIL.to_owned(), ISSUER.to_owned())
        );
        sign_and_verify(kit.sigstore(), chain[0].clone(), &key, EMAIL, ISSUER);
    }

    // The testkit's own issuer still works next to it.
    let (reply, _) = request_certificate(&kit, &kit.mint_email_token(EMAIL), EMAIL).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        identity_of(&chain(&reply)[0]),
        (EMAIL.to_owned(), kit.urls().oidc_issuer.clone())
    );

    // Fulcio's configuration lists both issuers.
    let config: Value = reqwest::get(format!("{}/api/v2/configuration", kit.urls().fulcio))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let urls: Vec<&str> = config["issuers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["issuerUrl"].as_str().unwrap())
        .collect();
    assert_eq!(urls, [kit.urls().oidc_issuer.as_str(), ISSUER]);
}

#[tokio::test]
async fn fulcio_rejects_bad_external_tokens() {
    let provider = Provider::new();
    let kit = Testkit::start().await.unwrap();
    kit.trust_issuer(ExternalIssuer::from_jwks(ISSUER, &provider.jwks()).unwrap());
    let now = system_now();
    let t = now.unix_seconds();
    let with = |changes: Value| {
        let mut c = claims(now);
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let good = provider.sign(&rs256(), &claims(now));
    let flipped = {
        let (input, sig) = good.rsplit_once('.').unwrap();
        let mut sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        sig[10] ^= 1;
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    };
    let other_signer = {
        // The ES256 key's signature presented under the RSA key's kid.
        let es = provider.sign(&json!({"alg": "ES256", "kid": "ec-1"}), &claims(now));
        let (_, sig) = es.rsplit_once('.').unwrap();
        let (input, _) = good.rsplit_once('.').unwrap();
        format!("{input}.{sig}")
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown kid",
            provider.sign(&json!({"alg": "RS256", "kid": "rsa-2"}), &claims(now)),
            "unknown key",
        ),
        (
            "no kid, two keys",
            provider.sign(&json!({"alg": "RS256"}), &claims(now)),
            "unknown key",
        ),
        (
            "kid of a P-256 key with RS256",
            provider.sign(&json!({"alg": "RS256", "kid": "ec-1"}), &claims(now)),
            "unknown key",
        ),
        (
            "kid of the RSA key with ES256",
            provider.sign(&json!({"alg": "ES256", "kid": "rsa-1"}), &claims(now)),
            "unknown key",
        ),
        (
            "alg none",
            provider.sign(&json!({"alg": "none", "kid": "rsa-1"}), &claims(now)),
            "unknown key",
        ),
        (
            "alg HS256",
            provider.sign(&json!({"alg": "HS256", "kid": "rsa-1"}), &claims(now)),
            "unknown key",
        ),
        (
            "alg PS256",
            provider.sign(&json!({"alg": "PS256", "kid": "rsa-1"}), &claims(now)),
            "unknown key",
        ),
        (
            "crit header",
            provider.sign(
                &json!({"alg": "RS256", "kid": "rsa-1", "crit": ["b64"], "b64": false}),
                &claims(now),
            ),
            "unknown key",
        ),
        ("flipped signature bit", flipped, "bad signature"),
        ("another key's signature", other_signer, "bad signature"),
        (
            "untrusted issuer",
            provider.sign(&rs256(), &with(json!({"iss": "https://evil.example.test"}))),
            "unknown key",
        ),
        (
            "issuer with a trailing slash",
            provider.sign(&rs256(), &with(json!({"iss": format!("{ISSUER}/")}))),
            "unknown key",
        ),
        (
            "wrong audience",
            provider.sign(&rs256(), &with(json!({"aud": "other"}))),
            "wrong audience",
        ),
        (
            "no audience",
            provider.sign(&rs256(), &with(json!({"aud": null}))),
            "wrong audience",
        ),
        (
            "expired",
            provider.sign(&rs256(), &with(json!({"exp": t - 60}))),
            "expired",
        ),
        (
            "no exp",
            provider.sign(&rs256(), &with(json!({"exp": null}))),
            "expired",
        ),
        (
            "not yet valid",
            provider.sign(&rs256(), &with(json!({"nbf": t + 600}))),
            "expired",
        ),
        (
            "issued in the future",
            provider.sign(&rs256(), &with(json!({"iat": t + 600}))),
            "expired",
        ),
        (
            "email not verified",
            provider.sign(&rs256(), &with(json!({"email_verified": false}))),
            "email not verified",
        ),
        (
            "email_verified missing",
            provider.sign(&rs256(), &with(json!({"email_verified": null}))),
            "email not verified",
        ),
        (
            "no email",
            provider.sign(&rs256(), &with(json!({"email": null}))),
            "no identity claim",
        ),
        ("two parts", "a.b".to_owned(), "malformed"),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (name, token, expected) in &cases {
        let (reply, _) = request_certificate(&kit, token, EMAIL).await;
        let message = reply.body["message"].as_str().unwrap_or_default();
        let ok =
            reply.status == 401 && message.contains(expected) && !message.contains(token.as_str());
        if ok {
            passed += 1;
        } else {
            failed += 1;
            eprintln!("FAILED {name}: {} {}", reply.status, reply.body);
        }
    }
    println!("{passed} passed, {failed} failed");
    assert_eq!((passed, failed), (cases.len(), 0));

    // The unmodified token is accepted, so each case failed for its own defect.
    let (reply, _) = request_certificate(&kit, &good, EMAIL).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    // A proof of possession over another identity is refused too.
    let (reply, _) = request_certificate(&kit, &good, "mallory@example.test").await;
    assert_eq!(reply.status, 400, "{}", reply.body);
}

#[test]
fn in_process_single_key_without_kid() {
    let provider = Provider::new();
    let now = system_now();
    let sigstore = VirtualSigstore::new(now).unwrap();
    let mut jwk = provider.ec_jwk("unused");
    jwk.as_object_mut().unwrap().remove("kid");
    sigstore.trust_issuer(ExternalIssuer::from_jwks(ISSUER, &json!({"keys": [jwk]})).unwrap());
    let key = SigningKey::generate().unwrap();
    // The only key signs tokens without a kid.
    let token = provider.sign(&json!({"alg": "ES256"}), &claims(now));
    let cert = sigstore
        .issue_certificate_for_token(&token, key.public_key().spki_der(), now)
        .unwrap();
    assert_eq!(
        identity_of(&cert.leaf),
        (EMAIL.to_owned(), ISSUER.to_owned())
    );
    sign_and_verify(&sigstore, cert.leaf, &key, EMAIL, ISSUER);
    let claims_back = sigstore.verify_token(&token, now).unwrap();
    assert_eq!(claims_back["email"], EMAIL);
    // A token naming a kid the JWKS key does not carry is refused.
    let token = provider.sign(&json!({"alg": "ES256", "kid": "unused"}), &claims(now));
    assert!(matches!(
        sigstore.verify_token(&token, now),
        Err(Error::Token(TokenError::UnknownKey))
    ));
    // Trusting the same URL again replaces the keys.
    sigstore.trust_issuer(ExternalIssuer::from_jwks(ISSUER, &provider.jwks()).unwrap());
    assert_eq!(sigstore.trusted_issuers(), [ISSUER]);
    let token = provider.sign(&json!({"alg": "ES256"}), &claims(now));
    assert!(sigstore.verify_token(&token, now).is_err());
    // A JWT from the instance's own issuer is unaffected.
    let own = sigstore.mint_email_token(EMAIL, now);
    assert_eq!(
        sigstore.verify_token(&own, now).unwrap()["iss"],
        sigstore.oidc_issuer()
    );
}

#[test]
fn unusable_jwks_documents_are_refused() {
    let provider = Provider::new();
    let small = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 1024).unwrap();
    let small_jwk = json!({"kty": "RSA", "kid": "small",
        "n": URL_SAFE_NO_PAD.encode(small.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(small.e().to_bytes_be())});
    let mut off_curve = provider.ec_jwk("bad");
    off_curve["y"] = json!(URL_SAFE_NO_PAD.encode([7u8; 32]));
    let cases = [
        ("not a JWKS", json!([1, 2])),
        ("no keys", json!({"keys": []})),
        (
            "only an Ed25519 key",
            json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}]}),
        ),
        (
            "only a P-384 key",
            json!({"keys": [{"kty": "EC", "crv": "P-384", "x": "AAAA", "y": "AAAA"}]}),
        ),
        (
            "only an encryption key",
            json!({"keys": [{"use": "enc", "kty": "RSA", "n": "AQAB", "e": "AQAB"}]}),
        ),
        (
            "RSA without n",
            json!({"keys": [{"kty": "RSA", "e": "AQAB"}]}),
        ),
        ("RSA-1024", json!({"keys": [small_jwk]})),
        (
            "n not base64url",
            json!({"keys": [{"kty": "RSA", "n": "!!", "e": "AQAB"}]}),
        ),
        ("P-256 point off the curve", json!({"keys": [off_curve]})),
        (
            "P-256 coordinate too short",
            json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}]}),
        ),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (name, jwks) in &cases {
        match ExternalIssuer::from_jwks(ISSUER, jwks) {
            Err(Error::Issuer { issuer, .. }) if issuer == ISSUER => passed += 1,
            other => {
                failed += 1;
                eprintln!("FAILED {name}: {other:?}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    assert_eq!((passed, failed), (cases.len(), 0));
    assert!(ExternalIssuer::from_jwks("", &provider.jwks()).is_err());
    // Unusable keys next to a usable one are skipped.
    let mixed = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"},
                                {"use": "enc", "kty": "RSA", "n": "AQAB", "e": "AQAB"},
                                provider.ec_jwk("ec-1")]});
    assert_eq!(
        ExternalIssuer::from_jwks(ISSUER, &mixed).unwrap().key_ids(),
        ["ec-1"]
    );
}

/// One testkit's issuer, found by discovery, is trusted by a second testkit's Fulcio.
#[tokio::test]
async fn discovery_of_another_testkit_issuer() {
    let idp = Testkit::start().await.unwrap();
    let issuer = idp.urls().oidc_issuer.clone();
    let external = ExternalIssuer::discover(&issuer).await.unwrap();
    assert_eq!(external.issuer(), issuer);
    assert_eq!(external.key_ids().len(), 1);
    let kit = Testkit::start_with(TestkitOptions {
        port: 0,
        external_issuers: vec![external],
    })
    .await
    .unwrap();
    let (reply, key) = request_certificate(&kit, &idp.mint_email_token(EMAIL), EMAIL).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let leaf = chain(&reply).remove(0);
    assert_eq!(identity_of(&leaf), (EMAIL.to_owned(), issuer.clone()));
    sign_and_verify(kit.sigstore(), leaf, &key, EMAIL, &issuer);

    // The discovery document must name exactly the issuer asked for.
    let err = ExternalIssuer::discover(&format!("{issuer}/"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("names issuer"), "{err}");
    // A provider that does not answer.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    assert!(matches!(
        ExternalIssuer::discover(&closed).await,
        Err(Error::Issuer { .. })
    ));
    let started = std::time::Instant::now();
    assert!(
        ExternalIssuer::discover_with_retry(&closed, std::time::Duration::from_secs(1))
            .await
            .is_err()
    );
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
}

// ----- the local stack's real OpenID provider -----

fn stack_env(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// An ID token from the auto-login provider at `issuer` through the authorization code flow
/// with PKCE: redirects are followed by hand with a cookie jar until the provider sends the
/// browser to the loopback redirect URI, whose code is then exchanged.
async fn auto_login_id_token(issuer: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    let config: Value = http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let random = || URL_SAFE_NO_PAD.encode(rand_bytes());
    let (verifier, state, nonce) = (random(), random(), random());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    // Nothing needs to listen: the flow stops at the redirect to it.
    let redirect_uri = "http://127.0.0.1:9/callback";
    let mut url = reqwest::Url::parse(&format!(
        "{}?{}",
        config["authorization_endpoint"].as_str().unwrap(),
        form_encode(&[
            ("client_id", "sigstore"),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("redirect_uri", redirect_uri),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("state", &state),
            ("nonce", &nonce),
        ])
    ))
    .unwrap();
    let mut cookies = BTreeMap::new();
    let mut callback = None;
    for _ in 0..10 {
        let cookie_header = cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let response = http
            .get(url.clone())
            .header("cookie", cookie_header)
            .send()
            .await
            .unwrap();
        for set in response.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            if let Some((k, v)) = pair.split_once('=') {
                cookies.insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
        assert!(
            response.status().is_redirection(),
            "{url}: {}",
            response.status()
        );
        let location = response.headers()["location"].to_str().unwrap();
        let next = url.join(location).unwrap();
        if next.as_str().starts_with(redirect_uri) {
            callback = Some(next);
            break;
        }
        url = next;
    }
    let callback = callback.expect("the provider never redirected to the redirect URI");
    let query: BTreeMap<String, String> = callback.query_pairs().into_owned().collect();
    assert_eq!(query.get("state"), Some(&state));
    if let Some(iss) = query.get("iss") {
        assert_eq!(iss, issuer);
    }
    let code = query.get("code").expect("no code in the callback").clone();
    let tokens: Value = http
        .post(config["token_endpoint"].as_str().unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(&[
            ("grant_type", "authorization_code"),
            ("client_id", "sigstore"),
            ("code", &code),
            ("code_verifier", &verifier),
            ("redirect_uri", redirect_uri),
        ]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["id_token"]
        .as_str()
        .expect("no id_token in the token response")
        .to_owned()
}

fn rand_bytes() -> [u8; 32] {
    use rand_core::RngCore as _;
    let mut bytes = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes
}

fn unverified_claims(jwt: &str) -> Map<String, Value> {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn stack_provider_token_gets_a_testkit_certificate() {
    if std::env::var_os("SIGSTORE_STACK_DIR").is_none() {
        println!("skipped: SIGSTORE_STACK_DIR not set");
        return;
    }
    let auto = stack_env("SIGSTORE_STACK_OIDC_AUTO", "http://127.0.0.1:19091");
    let pages = stack_env("SIGSTORE_STACK_OIDC", "http://127.0.0.1:19090");
    let patience = std::time::Duration::from_secs(10);
    let kit = Testkit::start_with(TestkitOptions {
        port: 0,
        external_issuers: vec![
            ExternalIssuer::discover_with_retry(&auto, patience)
                .await
                .unwrap(),
            ExternalIssuer::discover_with_retry(&pages, patience)
                .await
                .unwrap(),
        ],
    })
    .await
    .unwrap();

    let token = auto_login_id_token(&auto).await;
    let claims = unverified_claims(&token);
    let email = claims["email"].as_str().unwrap().to_owned();
    assert!(email.ends_with("@example.test"), "{email}");
    let (reply, key) = request_certificate(&kit, &token, &email).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let leaf = chain(&reply).remove(0);
    assert_eq!(identity_of(&leaf), (email.clone(), auto.clone()));
    sign_and_verify(kit.sigstore(), leaf, &key, &email, &auto);

    // A client_credentials token of the other provider verifies but names no email.
    let ci: Value = reqwest::Client::new()
        .post(format!("{pages}/token"))
        .basic_auth("ci", Some("ci-secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&scope=email")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ci_token = ci["access_token"].as_str().unwrap();
    let (reply, _) = request_certificate(&kit, ci_token, "ci").await;
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert!(reply.body["message"]
        .as_str()
        .unwrap()
        .contains("no identity claim"));
    // The provider's token is refused by a testkit that does not trust it.
    let plain = Testkit::start().await.unwrap();
    let (reply, _) = request_certificate(&plain, &token, &email).await;
    assert_eq!(reply.status, 401, "{}", reply.body);
}

//! The `Examples:` section of every command's `--help`.

/// `sigstore`.
pub const TOP: &str = "Examples:
  sigstore sign artifact.tar.gz
  sigstore verify identity artifact.tar.gz --cert-identity you@example.com --cert-oidc-issuer https://github.com/login/oauth
  sigstore --staging sign artifact.tar.gz
  sigstore --trust-config trust_config.json verify github artifact.tar.gz --repository OWNER/REPO
  sigstore completions bash > ~/.local/share/bash-completion/completions/sigstore

Options may also come from sigstore-python's environment variables (SIGSTORE_STAGING,
SIGSTORE_OFFLINE, SIGSTORE_BUNDLE, SIGSTORE_OVERWRITE, SIGSTORE_LOGLEVEL, ...): see each
command's --help.";

/// `sigstore verify`.
pub const VERIFY: &str = "Examples:
  sigstore verify identity a.txt --cert-identity you@example.com --cert-oidc-issuer https://github.com/login/oauth
  sigstore verify github a.txt --repository OWNER/REPO --ref refs/heads/main
  sigstore verify key a.txt --key cosign.pub";

/// `sigstore verify identity`.
pub const VERIFY_IDENTITY: &str = "Examples:
  sigstore verify identity a.txt --cert-identity you@example.com --cert-oidc-issuer https://github.com/login/oauth
  sigstore verify identity --bundle a.json a.txt --cert-identity-regexp '.*@example\\.com' --cert-oidc-issuer https://accounts.google.com
  sigstore --offline verify identity sha256:HEX --bundle a.txt.sigstore.json --cert-identity you@example.com --cert-oidc-issuer https://github.com/login/oauth";

/// `sigstore verify github`.
pub const VERIFY_GITHUB: &str = "Examples:
  sigstore verify github a.txt --repository OWNER/REPO
  sigstore verify github a.txt --cert-identity https://github.com/OWNER/REPO/.github/workflows/release.yml@refs/tags/v1.0.0 --trigger push";

/// `sigstore verify key`.
pub const VERIFY_KEY: &str = "Examples:
  sigstore verify key a.txt --key cosign.pub
  sigstore verify key --bundle a.json a.txt --key cosign.pub";

/// `sigstore sign`.
pub const SIGN: &str = "Examples:
  sigstore sign a.txt b.txt
  sigstore sign --bundle a.json a.txt
  sigstore sign --no-default-files --signature a.txt.sig --certificate a.txt.crt a.txt
  sigstore --staging sign --identity-token \"$TOKEN\" a.txt";

/// `sigstore attest`.
pub const ATTEST: &str = "Examples:
  sigstore attest --predicate provenance.json --predicate-type https://slsa.dev/provenance/v1 a.tar.gz
  sigstore attest --statement statement.json a.tar.gz";

/// `sigstore get-identity-token`.
pub const GET_IDENTITY_TOKEN: &str = "Examples:
  sigstore get-identity-token
  sigstore get-identity-token --oauth-force-oob";

/// `sigstore inspect`.
pub const INSPECT: &str = "Examples:
  sigstore inspect a.txt.sigstore.json";

/// `sigstore trust-instance`.
pub const TRUST_INSTANCE: &str = "Examples:
  sigstore --instance https://tuf.example.com trust-instance root.json
  sigstore --instance https://tuf.example.com sign a.txt";

/// `sigstore plumbing`.
pub const PLUMBING: &str = "Examples:
  sigstore plumbing update-trust-root
  sigstore plumbing fix-bundle --bundle a.txt.sigstore --upgrade-version";

/// `sigstore plumbing update-trust-root`.
pub const UPDATE_TRUST_ROOT: &str = "Examples:
  sigstore plumbing update-trust-root
  sigstore --staging plumbing update-trust-root";

/// `sigstore plumbing fix-bundle`.
pub const FIX_BUNDLE: &str = "Examples:
  sigstore plumbing fix-bundle --bundle old.sigstore > fixed.sigstore.json
  sigstore plumbing fix-bundle --bundle a.txt.sigstore.json --upgrade-version --in-place";

/// `sigstore completions`.
pub const COMPLETIONS: &str = "Examples:
  sigstore completions bash > ~/.local/share/bash-completion/completions/sigstore
  sigstore completions zsh > ~/.zfunc/_sigstore
  sigstore completions fish > ~/.config/fish/completions/sigstore.fish
  sigstore completions powershell >> $PROFILE";

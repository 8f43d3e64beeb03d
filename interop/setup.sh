#!/usr/bin/env bash
# Installs the independent Sigstore clients into DIR (never globally); idempotent.
#   DIR/py                     python3 venv with PyPI sigstore==4.5.1 (sigstore-python)
#   DIR/js                     npm prefix with sigstore@5 and @sigstore/verify@4 (sigstore-js)
#   DIR/local-stack/{node,venv} what ../shared/tools/local-stack needs to *start* its OIDC
#                              provider, mock Fulcio/Rekor/TSA and TUF repository
#                              (@sigstore/mock@0.13.0, oidc-provider@9; tuf==7.0.1). Its own
#                              `setup` also installs puppeteer-core and Debian chromium for
#                              browser logins; interop logs in without a browser (oidc_login.py),
#                              so those are left out.
# usage: setup.sh DIR
set -euo pipefail
DIR=${1:?usage: setup.sh DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
LOG="$DIR/setup.log"
: > "$LOG"

step() { # step NAME COMMAND...: runs quietly, shows the log on failure
  local name=$1; shift
  echo "==> $name" >&2
  if ! "$@" >> "$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    echo "interop setup: $name failed (log: $LOG)" >&2
    exit 1
  fi
}

need() { command -v "$1" > /dev/null || { echo "interop setup: $1 is required" >&2; exit 1; }; }
need python3; need node; need npm; need curl

if ! "$DIR/py/bin/sigstore" --version 2> /dev/null | grep -qx 'sigstore 4.5.1'; then
  rm -rf "$DIR/py"
  step "python venv: sigstore==4.5.1" python3 -m venv "$DIR/py"
  step "pip install sigstore==4.5.1" \
    "$DIR/py/bin/pip" install --quiet --disable-pip-version-check sigstore==4.5.1
fi

js_ok() {
  node -e '
    const p = process.argv[1];
    const major = (m) => Number(require(p + "/node_modules/" + m + "/package.json").version.split(".")[0]);
    process.exit(major("sigstore") === 5 && major("@sigstore/verify") === 4 ? 0 : 1);' "$DIR/js" 2> /dev/null
}
if ! js_ok; then
  mkdir -p "$DIR/js"
  step "npm install sigstore@5 @sigstore/verify@4" \
    npm install --prefix "$DIR/js" --no-audit --no-fund --loglevel=error sigstore@5 @sigstore/verify@4
fi

LS="$DIR/local-stack"
if [ ! -f "$LS/node/node_modules/@sigstore/mock/package.json" ] ||
   [ ! -f "$LS/node/node_modules/oidc-provider/package.json" ]; then
  mkdir -p "$LS/node"
  [ -f "$LS/node/package.json" ] || echo '{"name":"interop-local-stack","private":true}' > "$LS/node/package.json"
  step "npm install @sigstore/mock@0.13.0 oidc-provider@9 (local stack)" \
    npm install --prefix "$LS/node" --no-audit --no-fund --loglevel=error @sigstore/mock@0.13.0 oidc-provider@9
fi
if ! "$LS/venv/bin/python" -c 'import tuf, cryptography' 2> /dev/null; then
  rm -rf "$LS/venv"
  step "python venv: tuf==7.0.1 (local stack)" python3 -m venv "$LS/venv"
  step "pip install tuf==7.0.1 cryptography" \
    "$LS/venv/bin/pip" install --quiet --disable-pip-version-check tuf==7.0.1 cryptography
fi
echo "==> clients ready in $DIR" >&2

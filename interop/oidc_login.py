#!/usr/bin/env python3
"""Headless login to the local-stack OpenID provider (oidc-provider's dev login page), no browser.

usage: oidc_login.py ISSUER LOGIN  -> prints an ID token for LOGIN@example.test

Runs the authorization-code flow with PKCE for the public client `sigstore`: follows the
provider's redirects with a cookie jar, submits the dev login form, stops at the loopback
redirect (nothing listens there) and exchanges the code. Standard library only.
"""
import base64, hashlib, html, http.cookiejar, json, re, secrets, sys, urllib.error, urllib.parse, urllib.request

issuer, login = sys.argv[1].rstrip("/"), sys.argv[2]
redirect_uri = "http://127.0.0.1:9/callback"  # loopback, any port; never contacted


class StopAtCallback(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if newurl.startswith(redirect_uri):
            raise CallbackReached(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class CallbackReached(Exception):
    pass


jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), StopAtCallback)
verifier = secrets.token_urlsafe(48)
challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
query = urllib.parse.urlencode({
    "client_id": "sigstore", "response_type": "code", "redirect_uri": redirect_uri,
    "scope": "openid email", "code_challenge": challenge, "code_challenge_method": "S256",
    "state": state, "nonce": nonce,
})
callback = None
try:
    page = opener.open(f"{issuer}/auth?{query}", timeout=10)
    for _ in range(5):  # login page, then possibly a consent page
        body = page.read().decode()
        form = re.search(r'<form[^>]*action="([^"]+)"', body)
        if not form:
            sys.exit(f"oidc_login: no form on {page.geturl()}")
        action = urllib.parse.urljoin(page.geturl(), html.unescape(form.group(1)))
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', body))
        fields.update({"login": login, "password": "interop"})
        if "prompt" in fields and fields["prompt"] != "login":
            fields = {k: v for k, v in fields.items() if k not in ("login", "password")}
        page = opener.open(action, urllib.parse.urlencode(fields).encode(), timeout=10)
except CallbackReached as reached:
    callback = str(reached)
if callback is None:
    sys.exit("oidc_login: the provider never redirected to the callback")
params = urllib.parse.parse_qs(urllib.parse.urlparse(callback).query)
if params.get("state") != [state] or "code" not in params:
    sys.exit(f"oidc_login: bad callback {callback}")
token_request = urllib.parse.urlencode({
    "grant_type": "authorization_code", "code": params["code"][0], "redirect_uri": redirect_uri,
    "client_id": "sigstore", "code_verifier": verifier,
}).encode()
answer = json.load(opener.open(f"{issuer}/token", token_request, timeout=10))
print(answer["id_token"])

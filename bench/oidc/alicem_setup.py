#!/usr/bin/env python3
"""Two browser steps of the benchmark's set-up, done as a browser does them (Python
stdlib only, no redirect followed automatically):

  agent-approve BASE LOGIN CODE     an agent (password in $ALICEM_AGENT_PASSWORD) logs
                                    in to the console, opens the enrollment session
                                    shown by the wallet (CODE) and approves it.
  first-login BASE CLIENT_ID REDIRECT_URI EMAIL WALLET_DIR
                                    the citizen's first login to CLIENT_ID: identifier
                                    page, waiting page, the wallet approves with the PIN
                                    read from $BENCH_PIN (`alicem wallet approve ID
                                    --pin-stdin`), then the consent page is accepted,
                                    so the benchmark's logins meet no consent page.
"""
import hashlib
import base64
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def send(url, form=None, cookie=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(url, data=data)
    if cookie:
        req.add_header("Cookie", cookie)
    try:
        r = OPENER.open(req, timeout=10)
    except urllib.error.HTTPError as e:
        r = e
    body = r.read().decode("utf-8", "replace")
    return r.status, r.headers, body


def absolute(base, loc):
    return urllib.parse.urljoin(base + "/", loc)


def cookies_of(headers):
    return "; ".join(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [])


def csrf(page):
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    if not m:
        sys.exit("no CSRF field on the console page")
    return m.group(1)


def agent_approve(base, login, code):
    password = os.environ["ALICEM_AGENT_PASSWORD"]
    st, h, _ = send(f"{base}/agent/login", {"login": login, "password": password})
    cookie = cookies_of(h)
    if not cookie:
        sys.exit(f"agent login refused (HTTP {st})")
    _, _, queue = send(f"{base}/agent", cookie=cookie)
    token = csrf(queue)
    st, h, _ = send(f"{base}/agent/find", {"csrf": token, "code": code}, cookie)
    if not h.get("Location"):
        sys.exit(f"enrollment session {code} not found (HTTP {st})")
    session = absolute(base, h["Location"])
    st, _, body = send(f"{session}/decision",
                       {"csrf": token, "decision": "approve", "confirm": "yes"}, cookie)
    if st >= 400:
        sys.exit(f"agent decision refused (HTTP {st}): {body[:200]}")
    print(f"agent {login} approved enrollment session {code}", file=sys.stderr)


def first_login(base, client_id, redirect_uri, email, wallet_dir):
    pin = os.environ["BENCH_PIN"]
    alicem = os.environ.get("ALICEM", "alicem")
    disc = json.loads(send(f"{base}/.well-known/openid-configuration")[2])
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    q = urllib.parse.urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "scope": "openid identite_pivot email", "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(24), "acr_values": "eidas2",
        "code_challenge": challenge, "code_challenge_method": "S256",
    })
    st, h, body = send(f"{disc['authorization_endpoint']}?{q}")
    if st not in (302, 303):
        sys.exit(f"/authorize answered HTTP {st}: {body[:200]}")
    cookie = cookies_of(h)
    page = absolute(base, h["Location"])
    send(page, cookie=cookie)
    st, h, body = send(page, {"identifier": email}, cookie)
    if st != 303:
        sys.exit(f"identifier page answered HTTP {st}: {body[:200]}")
    wait = absolute(base, h["Location"])
    env = dict(os.environ, ALICEM_WALLET_DIR=wallet_dir)
    for _ in range(100):
        out = subprocess.run([alicem, "wallet", "requests", "--json"], env=env,
                             capture_output=True, text=True, check=True).stdout
        logins = [l for l in json.loads(out or "[]") if l["client_id"] == client_id]
        if logins:
            break
        time.sleep(0.1)
    else:
        sys.exit("the wallet sees no pending login")
    subprocess.run([alicem, "wallet", "approve", logins[0]["login_id"], "--pin-stdin"],
                   env=env, input=pin + "\n", text=True, check=True)
    st, h, _ = send(wait, cookie=cookie)
    loc = absolute(base, h.get("Location", ""))
    if "/consent" in loc:
        st, h, body = send(loc, {"decision": "allow"}, cookie)
        loc = h.get("Location", "")
    if not loc.startswith(redirect_uri) or "code=" not in loc:
        sys.exit(f"the first login did not end at the client with a code (HTTP {st}, {loc[:120]})")
    print(f"first login to {client_id} done, consent given", file=sys.stderr)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "agent-approve" and len(args) == 3:
        agent_approve(*args)
    elif cmd == "first-login" and len(args) == 5:
        first_login(*args)
    else:
        sys.exit(__doc__)

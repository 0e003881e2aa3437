#!/usr/bin/env bash
# Benchmarks alicem's OpenID provider with the shared harness (../shared/bench/oidc),
# then the harness's anchor (panva oidc-provider) the same way, side by side.
#
#   bench/oidc/run-alicem.sh [--quick] [--no-anchor] [--only-check] [--slow-pin-kdf]
#                            [--wallet-parallel N] [--hold]
#                            [-- more run.sh options, e.g. --reps 1 --concurrency "8 32"]
#
# What it does (idempotent: everything lives in a fresh temporary directory):
#  1. builds `alicem` in release (CARGO_TARGET_DIR=~/.cache/alicem/target-bench, nice 19);
#  2. copies the harness (read-only in ../shared) to ~/.cache/alicem/bench-harness and
#     builds its load generator there;
#  3. mints a test passport, writes a server configuration (SQLite), creates a console
#     agent, registers the harness's client `bench-rp` with `alicem admin sp add`;
#  4. starts `alicem serve` pinned to CPU 0 (the anchor gets the same CPU);
#  5. enrolls one identity as a citizen does on the agent path: `wallet init`,
#     `wallet enroll --sim DOC --path agent` (the chip is read in process by the virtual
#     chip: PACE/BAC, Active Authentication on the server's challenge), an agent approves
#     the session on the console, `wallet enroll --resume` chooses the PIN;
#  6. makes the citizen's first login to bench-rp (consent page accepted once);
#  7. starts the phone: `alicem wallet approve --watch --client bench-rp --pin-stdin
#     --parallel N` (N logins approved at once, default 8, --wallet-parallel or
#     WALLET_PARALLEL), pinned to CPU 1 with the load generator;
#  8. runs run.sh against alicem, then against the anchor (--start-anchor).
# Results: bench/oidc/results/raw/<timestamp>-{alicem,anchor}/ (summary.md in each).
#
# The wallet's PIN key derivation (Argon2id, 64 MiB x 3 on a phone, once per PIN entry)
# is a phone-side cost the provider never pays; by default the benchmark wallet uses
# the test parameters (`wallet init --insecure-fast-pin-kdf`) so that one simulated
# phone can approve as fast as many real ones. --slow-pin-kdf keeps the real ones.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SHARED="${BENCH_HARNESS_SRC:-$REPO/../../shared/bench/oidc}"
[[ -d "$SHARED" ]] || SHARED=/work/shared/bench/oidc
HARNESS="${BENCH_HARNESS:-$HOME/.cache/alicem/bench-harness}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/alicem/target-bench}"
ALICEM="$CARGO_TARGET_DIR/release/alicem"

QUICK=()
ANCHOR=1
ONLY_CHECK=0
HOLD=0
FAST_KDF=(--insecure-fast-pin-kdf)
RUN_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=(--quick); shift ;;
    --no-anchor) ANCHOR=0; shift ;;
    --only-check) ONLY_CHECK=1; shift ;;
    --hold) HOLD=1; shift ;;
    --slow-pin-kdf) FAST_KDF=(); shift ;;
    --wallet-parallel) WALLET_PARALLEL="$2"; shift 2 ;;
    --) shift; RUN_ARGS=("$@"); break ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

log() { echo "[run-alicem] $*" >&2; }
PIN0="" PIN1=""
if command -v taskset >/dev/null; then PIN0="taskset -c 0" PIN1="taskset -c 1"; fi
POLL_MS="${POLL_MS:-5}"
WALLET_PARALLEL="${WALLET_PARALLEL:-8}"

# ------------------------------------------------------------------ 1, 2: builds
log "building alicem (release, $CARGO_TARGET_DIR)"
(cd "$REPO" && nice -n 19 cargo build --release --quiet -p alicem)

log "copying the harness from $SHARED to $HARNESS"
mkdir -p "$HARNESS"
rsync -a --delete --chmod=u+w \
  --exclude loadgen/target/ --exclude provider/node_modules/ --exclude .venv/ \
  --exclude results/ --exclude __pycache__/ --exclude provider/keys.json \
  "$SHARED/" "$HARNESS/"
# Its own target directory: run.sh looks for loadgen/target/release/oidc-bench (the
# CARGO_TARGET_DIR exported above for alicem would put it elsewhere).
(cd "$HARNESS/loadgen" && CARGO_TARGET_DIR="$HARNESS/loadgen/target" nice -n 19 cargo build --release --quiet)
# run.sh rebuilds when src is newer than the binary; the copy's mtimes are the source's.
touch "$HARNESS/loadgen/target/release/oidc-bench"
command -v wrk >/dev/null || { log "wrk missing: apt-get install -y wrk"; exit 1; }

# ------------------------------------------------------------------ 3: server set-up
WORK="$(mktemp -d "${TMPDIR:-/tmp}/alicem-bench.XXXXXX")"
SERVE_PID=""
WATCH_PID=""
cleanup() {
  for pid in $WATCH_PID $SERVE_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

PORT="${ALICEM_BENCH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
ISSUER="http://127.0.0.1:$PORT"
CONFIG="$WORK/alicem.toml"
PIN=482915
EMAIL=test@bench.example
AGENT=bench-agent
export ALICEM_AGENT_PASSWORD="bench agent password $(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"

log "minting a test passport in $WORK/doc"
"$ALICEM" passport mint --out "$WORK/doc" --pki "$WORK/pki" >"$WORK/mint.log" 2>&1
mkdir -p "$WORK/server/trust"
cp "$WORK/doc/CSCA.der" "$WORK/server/trust/CSCA.der"
cat >"$CONFIG" <<EOF
listen = "127.0.0.1:$PORT"
issuer = "$ISSUER"
data_dir = "$WORK/server"
EOF
"$ALICEM" admin --config "$CONFIG" agent add --login "$AGENT" --name 'Bench Agent' >"$WORK/agent.log" 2>&1
"$ALICEM" admin --config "$CONFIG" sp add --name 'Bench RP' --client-id bench-rp \
  --redirect-uri http://127.0.0.1:8088/callback \
  --post-logout-uri http://127.0.0.1:8088/logged-out --auth-method client_secret_post \
  --scopes 'openid identite_pivot email preferred_username' >"$WORK/sp.txt" 2>"$WORK/sp.log"
SECRET="$(awk '/^client_secret:/{print $2; exit}' "$WORK/sp.txt")"
[[ -n "$SECRET" ]] || { log "no client secret in the output of sp add"; cat "$WORK/sp.txt" "$WORK/sp.log" >&2; exit 1; }

# ------------------------------------------------------------------ 4: the provider
log "starting alicem serve on $ISSUER (CPU 0)"
# taskset execs the server: $! is the server's own pid (its CPU time is what run.sh reads).
RUST_LOG="${RUST_LOG:-warn}" $PIN0 "$ALICEM" serve --config "$CONFIG" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
# The first start generates the provider's keys (RSA among them): allow a minute.
for _ in $(seq 1 300); do curl -fsS "$ISSUER/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "$ISSUER/healthz" >/dev/null || { log "the server did not start"; cat "$WORK/serve.log" >&2; exit 1; }

# ------------------------------------------------------------------ 5: enrollment (agent path)
export ALICEM_WALLET_DIR="$WORK/wallet"
log "enrolling $EMAIL on the agent path"
"$ALICEM" wallet init --server "$ISSUER" "${FAST_KDF[@]}" 2>>"$WORK/wallet.log"
MRZ="$(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["mrz"]))' "$WORK/doc/document.json")"
set +e
"$ALICEM" wallet enroll --sim "$WORK/doc" --mrz "$MRZ" --path agent --email "$EMAIL" \
  --phone +33612345678 --no-wait >>"$WORK/wallet.log" 2>&1
rc=$?
set -e
[[ $rc == 3 ]] || { log "wallet enroll: exit $rc (3 = waiting for the agent expected)"; cat "$WORK/wallet.log" >&2; exit 1; }
CODE="$("$ALICEM" wallet show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["enrollment_in_progress"]["session_code"])')"
python3 "$HERE/alicem_setup.py" agent-approve "$ISSUER" "$AGENT" "$CODE"
printf '%s\n' "$PIN" | "$ALICEM" wallet enroll --resume --pin-stdin >>"$WORK/wallet.log" 2>&1
export ALICEM BENCH_PIN="$PIN"
python3 "$HERE/alicem_setup.py" first-login "$ISSUER" bench-rp http://127.0.0.1:8088/callback "$EMAIL" "$ALICEM_WALLET_DIR" 2>>"$WORK/wallet.log"
unset BENCH_PIN

# ------------------------------------------------------------------ 7: the phone
log "starting the wallet approver (CPU 1, $WALLET_PARALLEL at once)"
$PIN1 "$ALICEM" wallet approve --watch --client bench-rp --pin-stdin --quiet --poll-ms "$POLL_MS" \
  --parallel "$WALLET_PARALLEL" \
  < <(printf '%s\n' "$PIN") >"$WORK/approver.log" 2>&1 &
WATCH_PID=$!
sleep 0.5
kill -0 "$WATCH_PID" 2>/dev/null || { log "the approver stopped"; cat "$WORK/approver.log" >&2; exit 1; }

# ------------------------------------------------------------------ 8: the runs
STAMP="$(date +%Y%m%d-%H%M%S)"
RESULTS="$HERE/results/raw"
mkdir -p "$RESULTS"
OURS=(--client-id bench-rp --client-secret "$SECRET" --user "$EMAIL" --pin "$PIN"
      --scope "openid identite_pivot email" --acr eidas2)
RUN=("$HARNESS/run.sh" "${QUICK[@]}" "${RUN_ARGS[@]}")
if [[ "$HOLD" == 1 ]]; then
  # For profiling: leave server and approver running, print how to reach them.
  printf 'ISSUER=%s\nSECRET=%s\nSERVE_PID=%s\nWATCH_PID=%s\nOURS=(%s)\n' "$ISSUER" "$SECRET" \
    "$SERVE_PID" "$WATCH_PID" "$(printf '%q ' "${OURS[@]}")" >"$WORK/hold.env"
  log "holding; source $WORK/hold.env; stop with kill $$"
  while kill -0 "$SERVE_PID" 2>/dev/null; do sleep 1; done
  exit 0
fi
if [[ "$ONLY_CHECK" == 1 ]]; then
  "$HARNESS/loadgen/target/release/oidc-bench" check --issuer "$ISSUER" \
    --adapter "$HERE/adapters/alicem.json" "${OURS[@]}" --json "$RESULTS/$STAMP-alicem-check.json" \
    | tee "$RESULTS/$STAMP-alicem-check.txt" || true
  exit 0
fi
log "run.sh against alicem ($ISSUER, provider pid $SERVE_PID)"
# run.sh runs the Authlib check without the oidc-bench options (the anchor's client
# secret and user); it is run here with ours instead, and the summary rebuilt.
"${RUN[@]}" --no-rp-check --issuer "$ISSUER" --adapter "$HERE/adapters/alicem.json" \
  --provider-pid "$SERVE_PID" --out "$RESULTS/$STAMP-alicem" -- "${OURS[@]}"
if [[ ! -x "$HARNESS/.venv/bin/python" ]]; then
  python3 -m venv "$HARNESS/.venv" && "$HARNESS/.venv/bin/pip" install -q authlib==1.9.6 httpx==0.28.1
fi
log "real-client (Authlib) check against alicem"
"$HARNESS/.venv/bin/python" -W ignore "$HARNESS/rp_check.py" --issuer "$ISSUER" \
  --adapter "$HERE/adapters/alicem.json" --client-id bench-rp --client-secret "$SECRET" \
  --user "$EMAIL" --pin "$PIN" >"$RESULTS/$STAMP-alicem/rp_check.txt" 2>&1 || true
tail -n 1 "$RESULTS/$STAMP-alicem/rp_check.txt" >&2
python3 "$HARNESS/summarize.py" "$RESULTS/$STAMP-alicem" >"$RESULTS/$STAMP-alicem/summary.md"
{
  echo "alicem: $(git -C "$REPO" rev-parse --short HEAD) ($(git -C "$REPO" status --porcelain | wc -l) uncommitted files), release build"
  echo "wallet: alicem wallet approve --watch --parallel $WALLET_PARALLEL, pin kdf: ${FAST_KDF[*]:-recommended (Argon2id 64 MiB, t=3)}"
  echo "wallet_cpu_s: $(awk '{print ($14+$15)/100}' "/proc/$WATCH_PID/stat")"
  echo "provider_cpu_s_total: $(awk '{print ($14+$15)/100}' "/proc/$SERVE_PID/stat")"
  tail -n 3 "$WORK/approver.log"
} >>"$RESULTS/$STAMP-alicem/env.txt"
# The temporary client secret is recorded by run.sh among its arguments: keep it out of
# the results (they are committed).
grep -rlF -- "$SECRET" "$RESULTS/$STAMP-alicem" | xargs -r sed -i "s/$SECRET/<redacted: printed once by sp add>/g"
kill "$WATCH_PID" "$SERVE_PID" 2>/dev/null || true
wait "$WATCH_PID" "$SERVE_PID" 2>/dev/null || true
WATCH_PID="" SERVE_PID=""
if [[ "$ANCHOR" == 1 ]]; then
  log "run.sh against the anchor (oidc-provider)"
  "${RUN[@]}" --start-anchor --out "$RESULTS/$STAMP-anchor"
fi
log "results: $RESULTS/$STAMP-*"

# Shared helpers for the integrations' bash tests (sourced, not run).
#
#   FICHIER_BIN   the fichier binary (default: .build/debug/fichier of this checkout)
#
# Every test gets a scratch directory ($TEST_TMP, removed at exit unless KEEP_TEST_TMP=1) and
# may start a `fichier emulator` on a free port with a generated key kept in a file.

set -euo pipefail

TESTLIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FICHIER_BIN=${FICHIER_BIN:-$TESTLIB_ROOT/.build/debug/fichier}
[[ $FICHIER_BIN == /* ]] || FICHIER_BIN=$PWD/$FICHIER_BIN
export FICHIER_BIN
[[ -x $FICHIER_BIN ]] || { echo "testlib: no fichier binary at $FICHIER_BIN (run swift build first)" >&2; exit 2; }

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/fichier-itest.XXXXXX")
# Hermetic: no 1fichier settings of the caller, and never the user's own vault (a test that
# wants one makes it with make_vault and names it).
unset FICHIER_API_KEY FICHIER_API_KEY_FILE FICHIER_API_URL FICHIER_KEYFILE FICHIER_PASSPHRASE \
  FICHIER_PASSPHRASE_FILE FICHIER_LISTING_WINDOW_MS
export FICHIER_VAULT=$TEST_TMP/no-vault/vault
TEST_NAME=${TEST_NAME:-$(basename "$0")}
TEST_FAILURES=0
TEST_CHECKS=0
EMULATOR_PID=

testlib_cleanup() {
  local status=$?
  if [[ -n $EMULATOR_PID ]]; then
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
  fi
  if [[ ${KEEP_TEST_TMP:-0} == 1 ]]; then
    echo "$TEST_NAME: scratch kept in $TEST_TMP" >&2
  else
    rm -rf "$TEST_TMP"
  fi
  exit "$status"
}
trap testlib_cleanup EXIT

log() { printf '%s: %s\n' "$TEST_NAME" "$*" >&2; }

# fail MESSAGE — records a failed check (the test goes on; `finish` reports).
fail() {
  TEST_FAILURES=$((TEST_FAILURES + 1))
  printf '%s: FAIL: %s\n' "$TEST_NAME" "$*" >&2
}

# check DESCRIPTION COMMAND… — runs the command; a non-zero status is a failure.
check() {
  local what=$1
  shift
  TEST_CHECKS=$((TEST_CHECKS + 1))
  if "$@"; then
    log "ok: $what"
  else
    fail "$what (status $?)"
  fi
}

# quietly COMMAND… — runs the command with its output in a log file, shown only if it fails.
quietly() {
  local output=$TEST_TMP/quietly.log status=0
  "$@" > "$output" 2>&1 || status=$?
  ((status == 0)) || { echo "--- output of: $*" >&2; tail -n 60 "$output" >&2; echo "---" >&2; }
  return "$status"
}

# silently COMMAND… — runs the command with its output discarded into a log file (for
# commands expected to fail).
silently() {
  "$@" > "$TEST_TMP/silently.log" 2>&1
}

# expect_status STATUS DESCRIPTION COMMAND… — the command must exit with exactly STATUS.
expect_status() {
  local want=$1 what=$2 got=0
  shift 2
  TEST_CHECKS=$((TEST_CHECKS + 1))
  "$@" || got=$?
  if [[ $got == "$want" ]]; then
    log "ok: $what (status $got)"
  else
    fail "$what: status $got, expected $want"
  fi
}

# expect_eq DESCRIPTION ACTUAL EXPECTED
expect_eq() {
  TEST_CHECKS=$((TEST_CHECKS + 1))
  if [[ $2 == "$3" ]]; then
    log "ok: $1"
  else
    fail "$1: got '$2', expected '$3'"
  fi
}

# expect_match DESCRIPTION TEXT REGEX
expect_match() {
  TEST_CHECKS=$((TEST_CHECKS + 1))
  if [[ $2 =~ $3 ]]; then
    log "ok: $1"
  else
    fail "$1: '$2' does not match /$3/"
  fi
}

# finish — the test's verdict and exit status.
finish() {
  if ((TEST_FAILURES > 0)); then
    log "$TEST_FAILURES of $TEST_CHECKS checks FAILED"
    exit 1
  fi
  ((TEST_CHECKS > 0)) || { log "no checks ran"; exit 1; }
  log "all $TEST_CHECKS checks passed"
  exit 0
}

# start_emulator — runs `fichier emulator` on 127.0.0.1 with a free port and a generated key.
# Sets EMULATOR_URL (http://127.0.0.1:PORT), EMULATOR_API (…/v1), EMULATOR_KEY_FILE,
# EMULATOR_DATA and EMULATOR_PID. Extra arguments go to the emulator.
start_emulator() {
  EMULATOR_DATA=$TEST_TMP/emulator-data
  EMULATOR_KEY_FILE=$TEST_TMP/api-key
  mkdir -p "$EMULATOR_DATA"
  (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$EMULATOR_KEY_FILE")
  local log_file=$TEST_TMP/emulator.log
  "$FICHIER_BIN" emulator --port 0 --key-file "$EMULATOR_KEY_FILE" --data "$EMULATOR_DATA" "$@" 2> "$log_file" &
  EMULATOR_PID=$!
  local tries=0
  until grep -q 'listening on' "$log_file" 2>/dev/null; do
    tries=$((tries + 1))
    if ((tries > 200)) || ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
      cat "$log_file" >&2
      echo "testlib: the emulator did not start" >&2
      exit 2
    fi
    sleep 0.05
  done
  EMULATOR_URL=$(grep -o 'http://[0-9.]*:[0-9]*' "$log_file" | head -n 1)
  EMULATOR_API=$EMULATOR_URL/v1
  export EMULATOR_URL EMULATOR_API EMULATOR_KEY_FILE EMULATOR_DATA
}

# make_vault — a vault with a light key derivation, a key file that unlocks it and its
# exported age identity. Sets VAULT_FILE, VAULT_KEY_FILE (for --key-file / FICHIER_KEYFILE)
# and VAULT_IDENTITY (for the stock `age -d -i`).
make_vault() {
  local dir=$TEST_TMP/vault
  mkdir -p "$dir"
  (umask 077 && printf 'integration test passphrase\n' > "$dir/passphrase")
  VAULT_FILE=$dir/vault
  VAULT_KEY_FILE=$dir/vault.key
  VAULT_IDENTITY=$dir/identity.txt
  if ! { quietly "$FICHIER_BIN" vault init --vault "$VAULT_FILE" --passphrase-file "$dir/passphrase" --kdf small \
    && quietly "$FICHIER_BIN" vault add-keyfile --vault "$VAULT_FILE" --passphrase-file "$dir/passphrase" "$VAULT_KEY_FILE" \
    && quietly "$FICHIER_BIN" vault export-identity --vault "$VAULT_FILE" --key-file "$VAULT_KEY_FILE" -o "$VAULT_IDENTITY"; }; then
    echo "testlib: cannot make a vault" >&2
    exit 2
  fi
  export VAULT_FILE VAULT_KEY_FILE VAULT_IDENTITY
}

# is_age_file FILE — whether FILE starts like an age v1 file (binary or armored).
is_age_file() {
  local head
  head=$(head -c 34 "$1")
  [[ $head == "age-encryption.org/v1"* || $head == "-----BEGIN AGE ENCRYPTED FILE-----"* ]]
}

# stop_emulator — stops it (tests of network trouble).
stop_emulator() {
  [[ -n $EMULATOR_PID ]] || return 0
  kill "$EMULATOR_PID" 2>/dev/null || true
  wait "$EMULATOR_PID" 2>/dev/null || true
  EMULATOR_PID=
}

# remote VERB ARGS… — a one-shot fichier command against the running emulator (an independent
# look at what the integration did; no vault, so age files are what is stored).
remote() {
  local verb=$1
  shift
  FICHIER_PACE_MS=0 FICHIER_LISTING_WINDOW_MS=0 "$FICHIER_BIN" "$verb" --api-url "$EMULATOR_API" \
    --api-key-file "$EMULATOR_KEY_FILE" "$@"
}

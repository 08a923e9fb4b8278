#!/usr/bin/env bash
# nightly-backup.sh against `fichier serve --sandbox` (each run its own co-process on the same
# sandbox data): several nightly runs with fake dates keep exactly N versions, the newest
# archive restores the folder byte for byte, a re-run replaces its date, tar.gz works, the lock
# refuses an overlapping run, failures exit non-zero with a message and leave no temporary
# files, and a cron-like environment works. Then --encrypt against a `fichier emulator`, the
# cron way (FICHIER_API_KEY_FILE, FICHIER_KEYFILE): rotation by the stored .age names, the
# stored object is an age file that the stock age decrypts with the exported identity, and
# `fichier download` restores it. shellcheck-clean.
export TEST_NAME=nightly-backup
# shellcheck source=SCRIPTDIR/../../testlib.bash
source "$(dirname "$0")/../../testlib.bash"

script=$(cd "$(dirname "$0")/.." && pwd)/nightly-backup.sh
check "shellcheck nightly-backup.sh" shellcheck -x "$script"

sandbox=$TEST_TMP/sandbox
docs=$TEST_TMP/documents
mkdir -p "$docs/letters" "$docs/with space"
printf 'dear bank\n' > "$docs/letters/bank.txt"
printf 'spaced out\n' > "$docs/with space/a file.txt"
head -c 300000 /dev/urandom > "$docs/photo.raw"
export TMPDIR=$TEST_TMP/tmp
mkdir -p "$TMPDIR"
lock=$TEST_TMP/backup.lock

# shellcheck disable=SC2317 # called through check and expect_status
backup() { "$script" --sandbox "$sandbox" --dest /backups/testhost --lock "$lock" "$@" 2>> "$TEST_TMP/backup.log"; }
versions() {
  "$FICHIER_BIN" ls --sandbox "$sandbox" /backups/testhost --json 2>/dev/null | jq -r '[.files[].name] | sort | join(" ")'
}

log "nightly runs, keep 3"
for day in 01 02 03 04 05 06; do
  check "run for 2026-03-$day" backup --keep 3 --date "2026-03-$day" "$docs"
done
expect_eq "exactly the 3 newest versions are kept" "$(versions)" "2026-03-04.zip 2026-03-05.zip 2026-03-06.zip"

log "restore"
"$FICHIER_BIN" download --sandbox "$sandbox" /backups/testhost/2026-03-06.zip "$TEST_TMP/restore.zip" 2>/dev/null >/dev/null
mkdir -p "$TEST_TMP/restored"
(cd "$TEST_TMP/restored" && unzip -q "$TEST_TMP/restore.zip")
check "the newest archive restores the folder" diff -r "$docs" "$TEST_TMP/restored"

log "re-run and other formats"
old_url=$("$FICHIER_BIN" stat --sandbox "$sandbox" /backups/testhost/2026-03-06.zip --json 2>/dev/null | jq -r .url)
printf 'changed\n' >> "$docs/letters/bank.txt"
check "a second run on the same date" backup --keep 3 --date 2026-03-06 "$docs"
expect_eq "still 3 versions" "$(versions)" "2026-03-04.zip 2026-03-05.zip 2026-03-06.zip"
new_url=$("$FICHIER_BIN" stat --sandbox "$sandbox" /backups/testhost/2026-03-06.zip --json 2>/dev/null | jq -r .url)
check "the same date was replaced (one file, a new URL)" test "$old_url" != "$new_url"
check "a tar.gz run" backup --keep 2 --format tar.gz --date 2026-03-07 "$docs"
expect_eq "retention counts both formats" "$(versions)" "2026-03-06.zip 2026-03-07.tar.gz"
"$FICHIER_BIN" download --sandbox "$sandbox" /backups/testhost/2026-03-07.tar.gz "$TEST_TMP/restore.tgz" 2>/dev/null >/dev/null
mkdir -p "$TEST_TMP/restored-tgz"
tar -C "$TEST_TMP/restored-tgz" -xzf "$TEST_TMP/restore.tgz"
check "the tar.gz restores the folder" diff -r "$docs" "$TEST_TMP/restored-tgz"
"$FICHIER_BIN" upload --sandbox "$sandbox" "$docs/photo.raw" /backups/testhost/ >/dev/null 2>&1
check "a run with another file in the folder" backup --keep 1 --date 2026-03-08 "$docs"
expect_eq "files that are not versions are left alone" "$(versions)" "2026-03-08.zip photo.raw"
check "an older date than the kept ones" backup --keep 1 --date 2026-01-01 "$docs"
expect_eq "the run just uploaded is never deleted" "$(versions)" "2026-01-01.zip 2026-03-08.zip photo.raw"

log "refusals and failures"
exec {held}>>"$lock"
flock -n "$held"
expect_status 75 "a second run while one holds the lock" backup --date 2026-03-09 "$docs"
expect_match "with a message" "$(tail -n 1 "$TEST_TMP/backup.log")" "another backup is running"
exec {held}>&-
expect_status 64 "a missing source folder" backup "$TEST_TMP/nowhere"
expect_status 64 "a bad --keep" backup --keep 0 "$docs"
expect_status 64 "a bad --date" backup --date 2026-13-01 "$docs"
expect_status 64 "an unknown option" backup --frobnicate "$docs"
# 1fichier unreachable: a closed port (the emulator that was there is stopped).
# shellcheck disable=SC2119 # no extra emulator options
start_emulator
closed_api=$EMULATOR_API
stop_emulator
status=0
"$script" --api-url "$closed_api" --api-key-file "$EMULATOR_KEY_FILE" --lock "$lock" --date 2026-03-10 "$docs" \
  2>> "$TEST_TMP/backup.log" || status=$?
expect_eq "network trouble exits 5 (try again later)" "$status" "5"
expect_match "with a message" "$(tail -n 1 "$TEST_TMP/backup.log")" "ERROR: making /backups/.* failed"
check "no temporary files are left behind" test -z "$(ls -A "$TMPDIR")"
status=0
FICHIER_BIN=$TEST_TMP/no-such-fichier "$script" --sandbox "$sandbox" --lock "$lock" "$docs" 2>> "$TEST_TMP/backup.log" || status=$?
expect_eq "no fichier program exits 69" "$status" "69"

log "encryption, against an emulator, configured the cron way"
make_vault
# shellcheck disable=SC2119 # no extra emulator options
start_emulator
# shellcheck disable=SC2317 # called through check and expect_status
encrypted_backup() {
  FICHIER_API_KEY_FILE=$EMULATOR_KEY_FILE FICHIER_KEYFILE=$VAULT_KEY_FILE FICHIER_VAULT=$VAULT_FILE \
    FICHIER_PACE_MS=0 FICHIER_LISTING_WINDOW_MS=0 \
    "$script" --api-url "$EMULATOR_API" --dest /backups/enc --lock "$lock" "$@" 2>> "$TEST_TMP/backup.log"
}
stored_versions() { remote ls /backups/enc --json 2>/dev/null | jq -r '[.files[].name] | sort | join(" ")'; }
for day in 01 02 03; do
  check "encrypted run for 2026-04-$day" encrypted_backup --encrypt --keep 2 --date "2026-04-$day" "$docs"
done
expect_eq "the 2 newest encrypted versions are kept, by their stored names" "$(stored_versions)" \
  "2026-04-02.zip.age 2026-04-03.zip.age"
expect_match "the log names the stored file" "$(grep 'uploaded /backups/enc/2026-04-03' "$TEST_TMP/backup.log")" \
  "2026-04-03\.zip\.age \([0-9]+ bytes, encrypted \(age\) from [0-9]+ bytes, Whirlpool verified"
remote download /backups/enc/2026-04-03.zip.age "$TEST_TMP/stored.zip.age" > /dev/null 2>&1
check "the stored object is an age file" is_age_file "$TEST_TMP/stored.zip.age"
check "the stock age decrypts it with the exported identity" \
  age -d -i "$VAULT_IDENTITY" -o "$TEST_TMP/by-age.zip" "$TEST_TMP/stored.zip.age"
mkdir -p "$TEST_TMP/restored-age"
(cd "$TEST_TMP/restored-age" && unzip -q "$TEST_TMP/by-age.zip")
check "age's plaintext restores the folder" diff -r "$docs" "$TEST_TMP/restored-age"
mkdir -p "$TEST_TMP/restore-enc"
check "fichier download with the vault decrypts (the README's restore)" \
  silently env FICHIER_API_KEY_FILE="$EMULATOR_KEY_FILE" FICHIER_KEYFILE="$VAULT_KEY_FILE" FICHIER_VAULT="$VAULT_FILE" \
  "$FICHIER_BIN" download --api-url "$EMULATOR_API" /backups/enc/2026-04-03.zip "$TEST_TMP/restore-enc/"
mkdir -p "$TEST_TMP/restored-enc"
(cd "$TEST_TMP/restored-enc" && unzip -q "$TEST_TMP/restore-enc/2026-04-03.zip")
check "the decrypted download restores the folder" diff -r "$docs" "$TEST_TMP/restored-enc"
check "a plain run (--no-encrypt) into the same folder" encrypted_backup --no-encrypt --keep 3 --date 2026-04-04 "$docs"
expect_eq "plain and encrypted versions count together" "$(stored_versions)" \
  "2026-04-02.zip.age 2026-04-03.zip.age 2026-04-04.zip"
check "an encrypted run replaces the plain one of its date" encrypted_backup --encrypt --keep 3 --date 2026-04-04 "$docs"
expect_eq "one file per date" "$(stored_versions)" "2026-04-02.zip.age 2026-04-03.zip.age 2026-04-04.zip.age"
check "--key-file instead of FICHIER_KEYFILE" \
  env FICHIER_KEYFILE= "$script" --api-url "$EMULATOR_API" --api-key-file "$EMULATOR_KEY_FILE" --vault "$VAULT_FILE" \
  --key-file "$VAULT_KEY_FILE" --dest /backups/enc --lock "$lock" --encrypt --keep 1 --date 2026-04-05 "$docs" \
  2>> "$TEST_TMP/backup.log"
expect_eq "keep 1 removed every older version, plain or encrypted" "$(stored_versions)" "2026-04-05.zip.age"
status=0
FICHIER_API_KEY_FILE=$EMULATOR_KEY_FILE FICHIER_VAULT=$TEST_TMP/none/vault "$script" --api-url "$EMULATOR_API" \
  --dest /backups/enc --lock "$lock" --encrypt "$docs" 2>> "$TEST_TMP/backup.log" || status=$?
expect_eq "--encrypt without a vault exits 10" "$status" "10"
expect_match "with a message" "$(tail -n 1 "$TEST_TMP/backup.log")" "needs a vault"
status=0
FICHIER_API_KEY_FILE=$EMULATOR_KEY_FILE FICHIER_VAULT=$VAULT_FILE "$script" --api-url "$EMULATOR_API" \
  --dest /backups/enc --lock "$lock" --encrypt "$docs" 2>> "$TEST_TMP/backup.log" || status=$?
expect_eq "--encrypt with the vault locked exits 10" "$status" "10"
expect_match "with a message" "$(tail -n 1 "$TEST_TMP/backup.log")" "unlocked: give --key-file"
cp "$EMULATOR_KEY_FILE" "$TEST_TMP/readable.key"
chmod 644 "$TEST_TMP/readable.key"
status=0
FICHIER_API_KEY_FILE=$TEST_TMP/readable.key "$script" --api-url "$EMULATOR_API" --dest /backups/enc --lock "$lock" "$docs" \
  2>> "$TEST_TMP/backup.log" || status=$?
expect_eq "an API key file readable by others exits 2" "$status" "2"
expect_match "fichier said why" "$(grep 'readable.key' "$TEST_TMP/backup.log" | tail -n 1)" "chmod 600"
check "the key is in no log" test -z "$(grep -F "$(cat "$EMULATOR_KEY_FILE")" "$TEST_TMP/backup.log" || true)"
expect_eq "the refused runs uploaded nothing" "$(stored_versions)" "2026-04-05.zip.age"
stop_emulator

log "cron"
status=0
env -i PATH=/usr/bin:/bin HOME="$TEST_TMP" FICHIER_BIN="$FICHIER_BIN" TMPDIR="$TMPDIR" \
  "$script" --sandbox "$sandbox" --dest /backups/cron --keep 2 "$docs" < /dev/null > "$TEST_TMP/cron.out" 2> "$TEST_TMP/cron.err" \
  || status=$?
expect_eq "a run in a cron-like environment (no terminal, minimal PATH, stdin closed)" "$status" "0"
check "nothing on stdout (cron mails stdout)" test ! -s "$TEST_TMP/cron.out"
expect_match "the log says done" "$(tail -n 1 "$TEST_TMP/cron.err")" "nightly-backup: done"
today=$(date +%Y-%m-%d)
check "today's version is there" silently "$FICHIER_BIN" stat --sandbox "$sandbox" "/backups/cron/$today.zip"

finish

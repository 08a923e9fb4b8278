#!/usr/bin/env bash
# fichier.bash against `fichier serve --sandbox`: calls, progress callback, answers out of
# order, error statuses, cancel, timeout, a server that dies, clean stop, a server that cannot
# start, encrypted upload and download with a vault; shellcheck.
export TEST_NAME=fichier.bash
# shellcheck source=SCRIPTDIR/../../testlib.bash
source "$(dirname "$0")/../../testlib.bash"
# shellcheck source=SCRIPTDIR/../fichier.bash
source "$(dirname "$0")/../fichier.bash"

check "shellcheck fichier.bash" shellcheck "$(dirname "$0")/../fichier.bash"

sandbox=$TEST_TMP/sandbox
check "fichier_start --sandbox" fichier_start --sandbox "$sandbox" --debug-methods 2> "$TEST_TMP/serve.log"
check "the co-process runs" fichier_running
first_pid=$FICHIER_PID

check "fichier_mkdir" fichier_mkdir /shell/docs
expect_eq "mkdir result" "$(jq -r .path <<< "$FICHIER_RESULT")" "/shell/docs"

head -c 2500000 /dev/urandom > "$TEST_TMP/data.bin"
progress_log=$TEST_TMP/progress.jsonl
# shellcheck disable=SC2317 # called by fichier_wait
record_progress() { printf '%s\n' "$1" >> "$progress_log"; }
check "fichier_upload with a progress function" fichier_upload "$TEST_TMP/data.bin" /shell/docs/ record_progress
expect_eq "upload result size" "$(jq -r .size <<< "$FICHIER_RESULT")" "2500000"
url=$(jq -r .url <<< "$FICHIER_RESULT")
expect_match "upload result url" "$url" '^https://1fichier\.com/\?'
expect_eq "the last progress event reached the total" "$(jq -s '[.[] | select(.phase == "uploading")] | last | .bytesDone' "$progress_log")" "2500000"
expect_eq "progress never went back" "$(jq -s '[.[] | select(.phase == "uploading") | .bytesDone] | . == sort' "$progress_log")" "true"

check "fichier_download by path" fichier_download /shell/docs/data.bin "$TEST_TMP/back.bin"
check "downloaded bytes equal" cmp "$TEST_TMP/back.bin" "$TEST_TMP/data.bin"
check "fichier_download by URL" fichier_download "$url" "$TEST_TMP/back2.bin"
check "downloaded-by-URL bytes equal" cmp "$TEST_TMP/back2.bin" "$TEST_TMP/data.bin"
check "fichier_ls" fichier_ls /shell/docs
expect_eq "the listing shows the file" "$(jq -r '.files[].name' <<< "$FICHIER_RESULT")" "data.bin"
check "fichier_link" fichier_link /shell/docs/data.bin
expect_eq "link's fileURL" "$(jq -r .fileURL <<< "$FICHIER_RESULT")" "$url"

# Answers out of order: the slow request is waited for first, the fast one comes from the stash.
fichier_send debug/sleep '{"ms":600}'
slow=$FICHIER_LAST_ID
fichier_send debug/echo '{"text":"fast"}'
fast=$FICHIER_LAST_ID
check "ids are unique" test "$slow" != "$fast"
check "wait for the slow request" fichier_wait "$slow"
expect_eq "slow result" "$(jq -r .sleptMs <<< "$FICHIER_RESULT")" "600"
expect_eq "the fast answer was kept aside" "${FICHIER_STASH[$fast]+kept}" "kept"
check "wait for the fast request" fichier_wait "$fast"
expect_eq "fast result" "$(jq -r .text <<< "$FICHIER_RESULT")" "fast"
subshell_id=$(fichier_send ping >/dev/null; echo "$FICHIER_LAST_ID")
fichier_wait "$subshell_id" > /dev/null
fichier_send ping
check "ids stay unique across subshells" test "$subshell_id" != "$FICHIER_LAST_ID"
fichier_wait "$FICHIER_LAST_ID"

# Error statuses follow the CLI's table.
expect_status 4 "a missing file is status 4" silently fichier_stat /shell/docs/missing.txt
expect_eq "FICHIER_ERROR has the kind" "$(jq -r .data.kind <<< "$FICHIER_ERROR")" "not_found"
expect_status 3 "a missing folder is status 3" silently fichier_ls /shell/nowhere
expect_status 2 "bad params are status 2" silently fichier_call fs/mkdir '{"parents":true}'
expect_status 2 "params that are not JSON are status 2" silently fichier_call fs/mkdir 'not json'
check "the co-process survived the errors" fichier_call ping

# Cancel.
fichier_send debug/sleep '{"ms":20000}'
sleeper=$FICHIER_LAST_ID
fichier_cancel "$sleeper"
started=$SECONDS
expect_status 130 "a cancelled request is status 130" silently fichier_wait "$sleeper"
check "the cancel was prompt (under 5 s)" test $((SECONDS - started)) -lt 5

# Idle timeout.
# shellcheck disable=SC2317 # called through silently
env_timeout_wait() { FICHIER_TIMEOUT=1 fichier_wait "$1"; }
fichier_send debug/sleep '{"ms":3000}'
expect_status 1 "FICHIER_TIMEOUT gives up on a silent server" silently env_timeout_wait "$FICHIER_LAST_ID"
fichier_call ping > /dev/null 2>&1 || true

# Clean stop.
expect_status 0 "fichier_stop exits 0" fichier_stop
TEST_CHECKS=$((TEST_CHECKS + 1))
if kill -0 "$first_pid" 2>/dev/null; then fail "the server still runs"; else log "ok: the server is gone"; fi
expect_status 1 "calls after stop fail" silently fichier_call ping

# A server that dies while a request waits.
check "fichier_start again" fichier_start --sandbox "$sandbox" --debug-methods 2>> "$TEST_TMP/serve.log"
check "the data is still there" fichier_stat /shell/docs/data.bin
fichier_send debug/sleep '{"ms":30000}'
doomed=$FICHIER_LAST_ID
kill -9 "$FICHIER_PID"
expect_status 1 "a dead server fails the waiting call" silently fichier_wait "$doomed"
expect_eq "with kind server_exited" "$(jq -r .data.kind <<< "$FICHIER_ERROR")" "server_exited"
fichier_stop 5 > /dev/null 2>&1 || true

# A server that cannot start reports why through its exit status (the CLI's table).
(umask 022 && printf 'not-a-secret-key\n' > "$TEST_TMP/open.key")
expect_status 2 "fichier_start returns the server's status for a key file readable by others" \
  silently fichier_start --api-url http://127.0.0.1:9/v1 --api-key-file "$TEST_TMP/open.key"
expect_match "with the server's message" "$(cat "$TEST_TMP/silently.log")" "open.key.*chmod 600"
check "nothing is left running" test -z "${FICHIER_PID:-}"

# Client-side encryption: --encrypt / --encrypt-names on upload, --decrypt on download.
make_vault
check "fichier_start with a vault unlocked by its key file" \
  fichier_start --sandbox "$TEST_TMP/sandbox-enc" --vault "$VAULT_FILE" --key-file "$VAULT_KEY_FILE" 2>> "$TEST_TMP/serve.log"
check "fichier_upload --encrypt" fichier_upload --encrypt "$TEST_TMP/data.bin" /secret/
expect_eq "stored as NAME.age" "$(jq -r '[.encrypted, .name, .remoteName, .plaintextSize] | join(" ")' <<< "$FICHIER_RESULT")" \
  "true data.bin data.bin.age 2500000"
check "fichier_download --decrypt never keeps the stored bytes" \
  fichier_download --decrypt never /secret/data.bin "$TEST_TMP/stored.age"
check "what is stored is an age file" is_age_file "$TEST_TMP/stored.age"
check "the stock age decrypts it with the exported identity" \
  age -d -i "$VAULT_IDENTITY" -o "$TEST_TMP/by-age.bin" "$TEST_TMP/stored.age"
check "age's plaintext is the file" cmp "$TEST_TMP/by-age.bin" "$TEST_TMP/data.bin"
check "fichier_download decrypts by default" fichier_download /secret/data.bin "$TEST_TMP/decrypted.bin"
check "the decrypted bytes are the file" cmp "$TEST_TMP/decrypted.bin" "$TEST_TMP/data.bin"
expect_eq "the download says so" "$(jq -r .decrypted <<< "$FICHIER_RESULT")" "true"
check "fichier_upload --encrypt --encrypt-names" fichier_upload --encrypt --encrypt-names "$TEST_TMP/back.bin" /secret/ "" replace
expect_match "stored under an encrypted name" "$(jq -r .remoteName <<< "$FICHIER_RESULT")" '^[a-z2-7]{52,}$'
check "fichier_upload --no-encrypt" fichier_upload --no-encrypt "$TEST_TMP/back2.bin" /secret/
expect_eq "stored in the clear" "$(jq -r '.remoteName // .name' <<< "$FICHIER_RESULT")" "back2.bin"
expect_status 2 "an unknown upload option" silently fichier_upload --frobnicate "$TEST_TMP/data.bin" /secret/
check "fichier_stop" fichier_stop

finish

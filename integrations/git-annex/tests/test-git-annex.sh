#!/usr/bin/env bash
# git-annex (the real program) drives git-annex-remote-fichier against a running
# `fichier emulator`: initremote, copy --to, drop, get, fsck --from, whereis, checkpresentkey
# (present / absent / unknown when 1fichier is unreachable), testremote, concurrent jobs with
# and without the ASYNC extension, enableremote in a clone, and an export remote.
export TEST_NAME=git-annex
# shellcheck source=SCRIPTDIR/../../testlib.bash
source "$(dirname "$0")/../../testlib.bash"

command -v git-annex >/dev/null || { log "git-annex is not installed"; exit 2; }

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC2119 # no extra emulator options
start_emulator

# git-annex finds the remote on PATH; the key comes from a file named in the environment.
export PATH="$here:$PATH"
export FICHIER_API_KEY_FILE=$EMULATOR_KEY_FILE
export FICHIER_PACE_MS=0
unset FICHIER_API_KEY FICHIER_API_URL FICHIER_ANNEX_ASYNC
export HOME=$TEST_TMP/home
mkdir -p "$HOME"
git config --global user.email tests@example.invalid
git config --global user.name tests
git config --global init.defaultBranch main
git config --global annex.autocommit true

repo=$TEST_TMP/repo
originals=$TEST_TMP/originals
mkdir -p "$repo" "$originals"
cd "$repo"
git init -q
git annex init -q "test repo"

head -c 3000000 /dev/urandom > big.bin
printf 'hello from git-annex\n' > small.txt
: > empty.txt
mkdir -p "with space"
printf 'spaced\n' > "with space/file name.txt"
cp -r big.bin small.txt empty.txt "with space" "$originals/"
git annex add -q .
git commit -qm "four files"

key_of() { git annex lookupkey "$1"; }
# The path of a key on 1fichier for the hash layout: FOLDER/<first two of DIRHASH-LOWER>/KEY.
remote_path() {
  local key=$1 folder=$2 hash
  # shellcheck disable=SC2016 # a git-annex format, not a shell expansion
  hash=$(git annex examinekey --format '${hashdirlower}' "$key")
  printf '%s/%s/%s\n' "$folder" "${hash:0:2}" "$key"
}

log "initremote"
check "initremote type=external externaltype=fichier" \
  git annex initremote cloud type=external externaltype=fichier encryption=none \
    folder=/annex/test "apiurl=$EMULATOR_API" -q
remote_log=$(git cat-file -p git-annex:remote.log)
expect_match "remote.log records the folder" "$remote_log" "folder=/annex/test"
expect_match "remote.log records the layout" "$remote_log" "layout=hash"
key_text=$(cat "$EMULATOR_KEY_FILE")
branch_text=$(git log -p git-annex 2>/dev/null; git cat-file -p git-annex:remote.log)
TEST_CHECKS=$((TEST_CHECKS + 1))
if grep -qF "$key_text" <<< "$branch_text"; then fail "the API key is in the git-annex branch"; else log "ok: the API key is not in the git-annex branch"; fi
check "initremote made the folder on 1fichier" silently remote stat /annex/test --json
check "initremote again (idempotent, enableremote)" git annex enableremote cloud -q
expect_status 1 "initremote with an unknown parameter is refused by git-annex (LISTCONFIGS)" \
  silently git annex initremote bad type=external externaltype=fichier encryption=none apikey=secret

log "copy --to"
check "git annex copy --to cloud" git annex copy --to cloud -q .
for file in big.bin small.txt empty.txt "with space/file name.txt"; do
  key=$(key_of "$file")
  path=$(remote_path "$key" /annex/test)
  stat_json=$(remote stat "$path" --json) || { fail "$file is not on 1fichier at $path"; continue; }
  size=$(jq -r .size <<< "$stat_json")
  want=$(stat -c %s "$originals/$file")
  ((want == 0)) && want=1 # an empty key is stored as a one-byte marker
  expect_eq "$file is on 1fichier with its size" "$size" "$want"
done
big_key=$(key_of big.bin)
remote download "$(remote_path "$big_key" /annex/test)" "$TEST_TMP/big.from-remote" --json > /dev/null
check "the bytes on 1fichier are the file's" cmp "$TEST_TMP/big.from-remote" "$originals/big.bin"

log "drop, get"
check "git annex drop (numcopies checked against the remote)" git annex drop -q .
expect_eq "no content left here" "$(git annex find --in here | wc -l)" "0"
check "git annex get" git annex get -q .
for file in big.bin small.txt empty.txt "with space/file name.txt"; do
  check "$file came back byte for byte" cmp "$file" "$originals/$file"
done

log "fsck, whereis, checkpresentkey"
check "git annex fsck --from cloud" git annex fsck --from cloud -q
small_key=$(key_of small.txt)
small_url=$(remote stat "$(remote_path "$small_key" /annex/test)" --json | jq -r .url)
whereis=$(git annex whereis small.txt 2>&1)
expect_match "whereis shows the 1fichier URL" "$whereis" "cloud: ${small_url//\?/\\?}"
expect_status 0 "checkpresentkey: present" git annex checkpresentkey "$small_key" cloud
remote rm "$(remote_path "$small_key" /annex/test)" > /dev/null
expect_status 1 "checkpresentkey: absent once removed on 1fichier" git annex checkpresentkey "$small_key" cloud
expect_status 1 "fsck --from --fast notices the missing key" silently git annex fsck --from cloud --fast small.txt
check "git annex copy --to puts it back" git annex copy --to cloud -q small.txt
expect_status 0 "checkpresentkey: present again" git annex checkpresentkey "$small_key" cloud
check "drop --from cloud" git annex drop --from cloud -q small.txt
expect_status 1 "checkpresentkey: absent after drop --from" git annex checkpresentkey "$small_key" cloud
check "REMOVE of an absent key succeeds (drop --from again)" git annex drop --from cloud --force -q small.txt

log "testremote"
check "git annex testremote --fast (125 conformance tests)" quietly git annex testremote cloud --fast

log "concurrent jobs"
mkdir -p many
for i in 1 2 3 4 5 6 7 8; do head -c $((20000 + i)) /dev/urandom > "many/f$i.bin"; done
cp -r many "$originals/"
git annex add -q many && git commit -qm many
check "copy -J4 with the ASYNC extension (one helper process)" git annex copy -J4 --to cloud -q many
check "drop -J4" git annex drop -J4 -q many
check "get -J4" git annex get -J4 -q many
check "initremote a second remote" \
  git annex initremote cloud2 type=external externaltype=fichier encryption=none folder=/annex/second layout=flat "apiurl=$EMULATOR_API" -q
check "copy -J3 without ASYNC (a helper per job)" env FICHIER_ANNEX_ASYNC=0 git annex copy -J3 --to cloud2 -q many
listing=$(remote ls /annex/second --json | jq -r '.files[].name' | sort)
expect_eq "the flat layout keeps every key in the folder" "$(wc -l <<< "$listing")" "8"
for i in 1 2 3 4 5 6 7 8; do
  check "many/f$i.bin intact after the round trips" cmp "many/f$i.bin" "$originals/many/f$i.bin"
done

info=$(git annex info cloud 2>&1)
expect_match "git annex info shows the folder (GETINFO)" "$info" "folder: /annex/test"

log "a clone: enableremote, missing key; the helper as a link to the fichier binary"
clone=$TEST_TMP/clone
git clone -q "$repo" "$clone"
cd "$clone"
mkdir -p "$TEST_TMP/linkbin"
ln -s "$FICHIER_BIN" "$TEST_TMP/linkbin/git-annex-remote-fichier"
saved_path=$PATH
PATH="$TEST_TMP/linkbin:${PATH#"$here:"}"
check "git-annex finds the link, not the script" test "$(command -v git-annex-remote-fichier)" = "$TEST_TMP/linkbin/git-annex-remote-fichier"
git annex init -q "clone"
check "enableremote in a clone" git annex enableremote cloud -q
check "get in the clone" git annex get -q --from cloud big.bin
check "the clone's copy is intact" cmp big.bin "$originals/big.bin"
out=$(env -u FICHIER_API_KEY_FILE git annex get --from cloud many/f4.bin 2>&1) && fail "get without a key should fail"
expect_match "without a key, a clear message" "$out" "no 1fichier API key"
PATH=$saved_path
cd "$repo"

log "export"
check "initremote an export remote" \
  git annex initremote exported type=external externaltype=fichier encryption=none exporttree=yes folder=/exported "apiurl=$EMULATOR_API" -q
check "git annex export" git annex export main --to exported -q
remote download "/exported/with space/file name.txt" "$TEST_TMP/spaced.txt" --json > /dev/null \
  || fail "the exported file with spaces is missing"
check "exported bytes are the file's" cmp "$TEST_TMP/spaced.txt" "$originals/with space/file name.txt"
git mv big.bin "with space/moved big.bin" > /dev/null 2>&1
git commit -qm move > /dev/null 2>&1
check "export after a rename (RENAMEEXPORT)" git annex export main --to exported -q
expect_status 4 "the old exported name is gone" silently remote stat /exported/big.bin --json
new_size=$(remote stat "/exported/with space/moved big.bin" --json | jq -r .size)
expect_eq "the new exported name has the content" "$new_size" "3000000"
git rm -q "many/f8.bin"
git commit -qm remove
check "export after a removal (REMOVEEXPORT)" git annex export main --to exported -q
expect_status 4 "the removed file is gone from the export" silently remote stat /exported/many/f8.bin --json
check "drop a file whose only other copy is the export" git annex drop --force -q "many/f1.bin"
check "get it back from the export" git annex get --from exported -q "many/f1.bin"
check "the file from the export is intact" cmp "many/f1.bin" "$originals/many/f1.bin"

log "network trouble"
stop_emulator
big_key=$(key_of "with space/moved big.bin")
out=$(git annex checkpresentkey "$big_key" cloud 2>&1) && status=0 || status=$?
expect_eq "checkpresentkey is UNKNOWN (exit 100) when 1fichier is unreachable" "$status" "100"
expect_match "with a reason" "$out" "."
expect_status 1 "fsck --from cloud fails when unreachable" silently git annex fsck --from cloud --fast small.txt
git annex drop --force -q "many/f3.bin"
expect_status 1 "get --from cloud fails when unreachable" silently git annex get --from cloud "many/f3.bin"
TEST_CHECKS=$((TEST_CHECKS + 1))
if [[ -e many/f3.bin ]]; then fail "a failed get left content behind"; else log "ok: a failed get leaves no content"; fi

finish

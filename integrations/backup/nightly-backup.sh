#!/usr/bin/env bash
# nightly-backup.sh — archive a folder and keep its last N versions on 1fichier.
#
# usage: nightly-backup.sh [options] SOURCE_DIR
#
#   --dest PATH          remote folder (default: /backups/<short host name>)
#   --keep N             versions to keep, the newest by date (default: 7)
#   --format zip|tar.gz  archive format (default: zip if installed, else tar.gz)
#   --date YYYY-MM-DD    the version's date (default: today, local time)
#   --lock FILE          lock file (default: ${XDG_RUNTIME_DIR:-/tmp}/fichier-nightly-backup.<uid>.lock)
#   --no-verify          skip the Whirlpool check of the upload
#   --encrypt            encrypt the archive (age, to the vault profile's key) before it
#                        leaves the machine: stored as <date>.<format>.age
#   --no-encrypt         upload in the clear even if the vault profile encrypts by default
#   --key-file FILE      the vault's key file (default: $FICHIER_KEYFILE; see `fichier vault
#                        add-keyfile`); the vault is unlocked with it, without a prompt
#   --vault FILE         the vault (default: $FICHIER_VAULT, else ~/.config/fichier/vault)
#   --sandbox DIR | --api-url URL | --api-key-file FILE
#                        how fichier reaches 1fichier (default: $FICHIER_API_KEY_FILE, else
#                        $FICHIER_API_KEY, else the vault's key, and 1fichier.com)
#
# Each run uploads DEST/<date>.<format> (replacing a version of the same date), then removes
# the versions beyond the N newest (files stored as YYYY-MM-DD.zip or YYYY-MM-DD.tar.gz, with
# .age when encrypted; other files in DEST are left alone). Safe for cron: no prompts, a lock
# against overlapping runs, logs on stderr, private temporary files removed on exit.
# Without --encrypt or --no-encrypt the vault profile's default applies (encrypt uploads on or
# off); a vault that exists must then be unlocked (--key-file / FICHIER_KEYFILE).
#
# Exit status: 0 done; 64 usage; 69 fichier cannot be started; 73 the archive cannot be made;
# 75 another run holds the lock; otherwise the status of fichier (the one-shot CLI's table:
# 2 bad configuration such as a key file readable by others, 5 try again later, 7 API key
# rejected, 8 quota, 10 vault missing or locked, 11 vault corrupt, 12 wrong key file …).
#
# Environment: FICHIER_BIN (the fichier program), FICHIER_API_KEY_FILE / FICHIER_API_KEY,
# FICHIER_KEYFILE, FICHIER_VAULT, FICHIER_PACE_MS, FICHIER_LISTING_WINDOW_MS,
# FICHIER_BASH (fichier.bash, default: ../shell/fichier.bash next to this script).

set -euo pipefail
umask 077

readonly PROGRAM=nightly-backup
EX_USAGE=64
EX_UNAVAILABLE=69
EX_CANTCREAT=73
EX_TEMPFAIL=75

log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$PROGRAM" "$*" >&2; }
die() {
  local status=$1
  shift
  log "ERROR: $*"
  exit "$status"
}
usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; }

source_dir='' dest='' keep=7 format='' day='' lock='' verify=true encrypt=null
connection=()
while (($#)); do
  case $1 in
    --dest) dest=${2:?--dest needs a path}; shift ;;
    --keep) keep=${2:?--keep needs a number}; shift ;;
    --format) format=${2:?--format needs zip or tar.gz}; shift ;;
    --date) day=${2:?--date needs YYYY-MM-DD}; shift ;;
    --lock) lock=${2:?--lock needs a file}; shift ;;
    --no-verify) verify=false ;;
    --encrypt) encrypt=true ;;
    --no-encrypt) encrypt=false ;;
    --sandbox | --api-url | --api-key-file | --key-file | --vault)
      connection+=("$1" "${2:?$1 needs a value}"); shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    -*) die "$EX_USAGE" "unknown option $1 (see --help)" ;;
    *)
      [[ -z $source_dir ]] || die "$EX_USAGE" "one source folder only (got '$source_dir' and '$1')"
      source_dir=$1 ;;
  esac
  shift
done
if (($#)); then
  [[ -z $source_dir && $# == 1 ]] || die "$EX_USAGE" "unexpected arguments: $*"
  source_dir=$1
fi

[[ -n $source_dir ]] || die "$EX_USAGE" "no source folder (see --help)"
[[ -d $source_dir && -r $source_dir ]] || die "$EX_USAGE" "the source $source_dir is not a readable folder"
[[ $keep =~ ^[1-9][0-9]*$ ]] || die "$EX_USAGE" "--keep must be a positive number, not '$keep'"
day=${day:-$(date +%Y-%m-%d)}
[[ $day =~ ^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$ ]] || die "$EX_USAGE" "--date must be YYYY-MM-DD, not '$day'"
if [[ -z $format ]]; then
  if command -v zip >/dev/null; then format=zip; else format=tar.gz; fi
fi
case $format in
  zip) command -v zip >/dev/null || die "$EX_USAGE" "--format zip needs the zip program" ;;
  tar.gz) ;;
  *) die "$EX_USAGE" "--format must be zip or tar.gz, not '$format'" ;;
esac
if [[ -z $dest ]]; then
  host=$(hostname -s 2>/dev/null || hostname)
  dest=/backups/${host:-localhost}
fi
[[ $dest == /* ]] || die "$EX_USAGE" "--dest must be an absolute 1fichier path such as /backups/laptop"
dest=${dest%/}
lock=${lock:-${XDG_RUNTIME_DIR:-/tmp}/fichier-nightly-backup.$(id -u).lock}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
library=${FICHIER_BASH:-$here/../shell/fichier.bash}
[[ -r $library ]] || die "$EX_UNAVAILABLE" "cannot read $library (set FICHIER_BASH)"
# shellcheck source=SCRIPTDIR/../shell/fichier.bash
source "$library"
command -v "${FICHIER_BIN:-fichier}" >/dev/null \
  || die "$EX_UNAVAILABLE" "cannot find ${FICHIER_BIN:-fichier} (set FICHIER_BIN)"

# One run at a time: the lock is held until this process exits.
exec {lock_fd}>>"$lock" || die "$EX_TEMPFAIL" "cannot open the lock file $lock"
flock -n "$lock_fd" || die "$EX_TEMPFAIL" "another backup is running (lock $lock is held)"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/nightly-backup.XXXXXX") || die "$EX_CANTCREAT" "cannot make a temporary folder"
cleanup() {
  local status=$?
  fichier_stop 10 >/dev/null 2>&1 || true
  rm -rf "$scratch"
  exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# --- the archive -----------------------------------------------------------------------------
name=$day.$format
archive=$scratch/$name
log "archiving $source_dir into $name"
if [[ $format == zip ]]; then
  (cd "$source_dir" && zip -q -r -X -y "$archive" . < /dev/null) >&2 \
    || die "$EX_CANTCREAT" "zip failed for $source_dir (an empty folder cannot be zipped)"
else
  tar -C "$source_dir" -czf "$archive" . < /dev/null >&2 || die "$EX_CANTCREAT" "tar failed for $source_dir"
fi
size=$(stat -c %s "$archive")
log "archive ready: $size bytes"

# --- upload ----------------------------------------------------------------------------------
# fichier serve reports a bad configuration (key file, vault, key) by exiting with the CLI's
# status; fichier_start returns it.
status=0
fichier_start "${connection[@]}" < /dev/null || status=$?
((status == 0)) || die "$([[ $status == 1 ]] && echo "$EX_UNAVAILABLE" || echo "$status")" \
  "fichier serve did not start (status $status; its message is above)"

# call_or_die WHAT COMMAND… — a fichier call; on failure, exit with its status and message.
call_or_die() {
  local what=$1 status=0 message="unknown error"
  shift
  "$@" || status=$?
  ((status == 0)) && return 0
  [[ -n ${FICHIER_ERROR:-} ]] && message=$(jq -r '.message // "unknown error"' <<< "$FICHIER_ERROR")
  die "$status" "$what failed: $message"
}

if [[ $encrypt == true ]]; then
  # Refuse before uploading anything rather than fail (or, worse, fall back) halfway.
  call_or_die "reading the vault's state" fichier_call vault/status
  vault_path=$(jq -r .path <<< "$FICHIER_RESULT")
  [[ $(jq -r .exists <<< "$FICHIER_RESULT") == true ]] \
    || die 10 "--encrypt needs a vault with the age key, and there is none at $vault_path (fichier vault init)"
  [[ $(jq -r .locked <<< "$FICHIER_RESULT") == false ]] \
    || die 10 "--encrypt needs the vault $vault_path unlocked: give --key-file FILE or FICHIER_KEYFILE"
fi

call_or_die "making $dest" fichier_mkdir "$dest"
params=$(jq -nc --arg l "$archive" --arg r "$dest/$name" --argjson v "$verify" --argjson e "$encrypt" \
  '{local: $l, remote: $r, ifExists: "replace", verify: $v} + (if $e == null then {} else {encrypt: $e} end)')
call_or_die "uploading $name" fichier_call transfer/upload "$params"
uploaded_url=$(jq -r .url <<< "$FICHIER_RESULT")
stored=$(jq -r '.remoteName // .name' <<< "$FICHIER_RESULT")
details="$(jq -r .size <<< "$FICHIER_RESULT") bytes"
[[ $(jq -r '.encrypted // false' <<< "$FICHIER_RESULT") == true ]] && details+=", encrypted (age) from $size bytes"
[[ $verify == true ]] && details+=", Whirlpool verified"
log "uploaded $dest/$stored ($details, $uploaded_url)"

# --- retention -------------------------------------------------------------------------------
files='[]'
params=$(jq -nc --arg p "$dest" '{path: $p, pageSize: 5000}')
while :; do
  call_or_die "listing $dest" fichier_call fs/list "$params"
  files=$(jq -c --argjson acc "$files" '$acc + .files' <<< "$FICHIER_RESULT")
  cursor=$(jq -r '.nextCursor // empty' <<< "$FICHIER_RESULT")
  [[ -n $cursor ]] || break
  params=$(jq -nc --arg c "$cursor" '{cursor: $c, pageSize: 5000}')
done
# Versions go by the stored names YYYY-MM-DD.(zip|tar.gz), with .age when encrypted (fichier
# lists those under the name without .age, the stored one in remoteName), newest first; each
# version may have several files (e.g. a plain and an encrypted one of the same date).
# shellcheck disable=SC2016 # a jq program, not shell expansions
version_of='def version: (.remoteName // .name) | sub("\\.age$"; "")
                         | select(test("^[0-9]{4}-[0-9]{2}-[0-9]{2}\\.(zip|tar\\.gz)$"));'
# shellcheck disable=SC2016
mapfile -t versions < <(jq -r "$version_of"' [.[] | version] | unique | sort | reverse | .[]' <<< "$files")
log "${#versions[@]} version(s) in $dest, keeping $keep"
# Other copies of the version just uploaded (ifExists replaces the file of the same stored name
# only: a plain DATE.zip stays when DATE.zip.age arrives, and the other way round).
# shellcheck disable=SC2016
urls=$(jq -c --arg n "$name" --arg u "$uploaded_url" "$version_of"' [.[] | select(version == $n and .url != $u) | .url]' <<< "$files")
if [[ $urls != '[]' ]]; then
  call_or_die "removing older copies of $dest/$name" fichier_call fs/delete "$(jq -nc --argjson u "$urls" '{urls: $u}')"
  log "removed $(jq length <<< "$urls") older copy(ies) of $name"
fi
for ((index = keep; index < ${#versions[@]}; index++)); do
  old=${versions[index]}
  if [[ $old == "$name" ]]; then
    log "warning: $name is older than the $keep newest versions; keeping it anyway (just uploaded)"
    continue
  fi
  # shellcheck disable=SC2016
  urls=$(jq -c --arg n "$old" "$version_of"' [.[] | select(version == $n) | .url]' <<< "$files")
  call_or_die "removing $dest/$old" fichier_call fs/delete "$(jq -nc --argjson u "$urls" '{urls: $u}')"
  log "removed old version $dest/$old"
done

fichier_stop 60 || log "warning: fichier serve exited with status $?"
log "done"

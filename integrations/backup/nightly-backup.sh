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
#   --encrypt            client-side encryption: NOT AVAILABLE YET (exits 64)
#   --sandbox DIR | --api-url URL | --api-key-file FILE
#                        how fichier reaches 1fichier (default: $FICHIER_API_KEY and 1fichier.com)
#
# Each run uploads DEST/<date>.<format> (replacing a version of the same date), then removes
# the versions beyond the N newest (files named YYYY-MM-DD.zip or YYYY-MM-DD.tar.gz; other
# files in DEST are left alone). Safe for cron: no prompts, a lock against overlapping runs,
# logs on stderr, private temporary files removed on exit.
#
# Exit status: 0 done; 64 usage; 69 fichier cannot be started; 73 the archive cannot be made;
# 75 another run holds the lock; otherwise the status of the failed fichier call (the one-shot
# CLI's table: 5 try again later, 7 API key rejected, 8 quota …).
#
# Environment: FICHIER_BIN (the fichier program), FICHIER_API_KEY / FICHIER_API_KEY_FILE,
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

source_dir='' dest='' keep=7 format='' day='' lock='' verify=true
connection=()
while (($#)); do
  case $1 in
    --dest) dest=${2:?--dest needs a path}; shift ;;
    --keep) keep=${2:?--keep needs a number}; shift ;;
    --format) format=${2:?--format needs zip or tar.gz}; shift ;;
    --date) day=${2:?--date needs YYYY-MM-DD}; shift ;;
    --lock) lock=${2:?--lock needs a file}; shift ;;
    --no-verify) verify=false ;;
    --encrypt)
      # TODO(encryption): pass --encrypt through once client-side encryption is in fichier
      # (branch `encryption`); until then refuse rather than upload in the clear.
      die "$EX_USAGE" "--encrypt is not available yet: this fichier has no client-side encryption; nothing was uploaded" ;;
    --sandbox | --api-url | --api-key-file)
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
fichier_start "${connection[@]}" < /dev/null || die "$EX_UNAVAILABLE" "cannot start fichier serve"

# call_or_die WHAT COMMAND… — a fichier call; on failure, exit with its status and message.
call_or_die() {
  local what=$1 status=0 message="unknown error"
  shift
  "$@" || status=$?
  ((status == 0)) && return 0
  [[ -n ${FICHIER_ERROR:-} ]] && message=$(jq -r '.message // "unknown error"' <<< "$FICHIER_ERROR")
  die "$status" "$what failed: $message"
}

call_or_die "making $dest" fichier_mkdir "$dest"
params=$(jq -nc --arg l "$archive" --arg r "$dest/$name" --argjson v "$verify" \
  '{local: $l, remote: $r, ifExists: "replace", verify: $v}')
call_or_die "uploading $name" fichier_call transfer/upload "$params"
uploaded_url=$(jq -r .url <<< "$FICHIER_RESULT")
log "uploaded $dest/$name ($size bytes, $uploaded_url)$([[ $verify == true ]] && echo ", Whirlpool verified")"

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
# Versions are names YYYY-MM-DD.(zip|tar.gz), newest first; each name may have several files.
mapfile -t versions < <(jq -r '[.[] | select(.name | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}\\.(zip|tar\\.gz)$")) | .name]
                                | unique | sort | reverse | .[]' <<< "$files")
log "${#versions[@]} version(s) in $dest, keeping $keep"
for ((index = keep; index < ${#versions[@]}; index++)); do
  old=${versions[index]}
  if [[ $old == "$name" ]]; then
    log "warning: $name is older than the $keep newest versions; keeping it anyway (just uploaded)"
    continue
  fi
  urls=$(jq -c --arg n "$old" '[.[] | select(.name == $n) | .url]' <<< "$files")
  call_or_die "removing $dest/$old" fichier_call fs/delete "$(jq -nc --argjson u "$urls" '{urls: $u}')"
  log "removed old version $dest/$old"
done

fichier_stop 60 || log "warning: fichier serve exited with status $?"
log "done"

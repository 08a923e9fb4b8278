# shellcheck shell=bash
# fichier.bash — drive `fichier serve` (the 1fichier co-process) from bash as a coproc.
#
#   source fichier.bash
#   fichier_start --sandbox /tmp/sb                # or: FICHIER_API_KEY=… fichier_start
#   fichier_call fs/mkdir '{"path":"/notes","parents":true}' && echo "$FICHIER_RESULT"
#   fichier_upload ./notes.txt /notes/ fichier_progress_stderr && jq -r .url <<< "$FICHIER_RESULT"
#   fichier_stop
#
# Requests carry unique ids; answers are matched to them whatever their order. Results land in
# FICHIER_RESULT (the JSON result object); errors in FICHIER_ERROR (the JSON error object) with
# a one-line message on stderr and a return status from the protocol's table (2 usage,
# 3/4 folder/file not found, 5 try later, 6 conflict…, 7 auth, 130 cancelled).
# Needs bash ≥ 4.3 and jq. Settings (environment):
#   FICHIER_BIN      the fichier program (default: fichier on PATH)
#   FICHIER_TIMEOUT  seconds without any line from the server before a call gives up (default:
#                    none; transfers send a heartbeat at least every 10 s)
#   FICHIER_EVENTS   a function called as `FUNC METHOD PARAMS_JSON` for every event/* line

# Set for the caller: FICHIER_RESULT, FICHIER_ERROR, FICHIER_LAST_ID, FICHIER_PID.
# shellcheck disable=SC2034
FICHIER_RESULT=''
# shellcheck disable=SC2034
FICHIER_ERROR=''
FICHIER_SEQ=0
FICHIER_LAST_ID=
declare -gA FICHIER_STASH=()

# fichier_start [serve options…] — starts `fichier serve` (e.g. --sandbox DIR, --api-url URL,
# --api-key-file FILE, --key-file VAULT_KEY_FILE, --max-transfers N) as the coproc
# FICHIER_COPROC. If the server exits at once (a bad key file, a vault it cannot open …),
# returns its exit status (the CLI's table: 2, 10, 11, 12 …); 1 if it does not answer.
fichier_start() {
  if fichier_running; then
    echo "fichier: the co-process is already running (pid $FICHIER_COPROC_PID)" >&2
    return 1
  fi
  command -v jq >/dev/null || { echo "fichier: jq is required" >&2; return 2; }
  local bin=${FICHIER_BIN:-fichier}
  command -v "$bin" >/dev/null || { echo "fichier: cannot find $bin (set FICHIER_BIN)" >&2; return 2; }
  FICHIER_STASH=()
  coproc FICHIER_COPROC { exec "$bin" serve "$@"; }
  FICHIER_PID=$FICHIER_COPROC_PID
  # Copies of the descriptors: bash drops the coproc's own variables when the process ends,
  # and answers may still be waiting to be read then.
  local from_server=${FICHIER_COPROC[0]} to_server=${FICHIER_COPROC[1]}
  exec {FICHIER_IN}<&"$from_server" {FICHIER_OUT}>&"$to_server"
  exec {from_server}<&- {to_server}>&-
  if ! fichier_call ping '{}' >/dev/null 2>&1; then
    local status=1
    if [[ $(jq -r '.data.kind // ""' <<< "$FICHIER_ERROR") == server_exited ]]; then
      wait "$FICHIER_PID" 2>/dev/null || status=$?
      ((status != 0 && status != 127)) || status=1
      echo "fichier: fichier serve exited at start (status $status)" >&2
    else
      echo "fichier: fichier serve did not answer" >&2
    fi
    fichier_stop 1 >/dev/null 2>&1 || true
    return "$status"
  fi
}

# fichier_running — whether the co-process is alive.
fichier_running() {
  [[ -n ${FICHIER_PID:-} ]] && kill -0 "$FICHIER_PID" 2>/dev/null
}

# fichier_send METHOD [PARAMS_JSON] — writes a request without waiting; its id is in
# FICHIER_LAST_ID (wait for it with fichier_wait).
fichier_send() {
  local method=$1 params=${2:-}
  [[ -n $params ]] || params='{}'
  [[ -n ${FICHIER_OUT:-} ]] || { echo "fichier: not started (fichier_start)" >&2; return 1; }
  FICHIER_SEQ=$((FICHIER_SEQ + 1))
  FICHIER_LAST_ID="sh-$BASHPID-$FICHIER_SEQ"
  local line
  line=$(jq -nc --arg id "$FICHIER_LAST_ID" --arg method "$method" --argjson params "$params" \
    '{jsonrpc: "2.0", id: $id, method: $method, params: $params}') \
    || { echo "fichier: params for $method are not a JSON object: $params" >&2; return 2; }
  { printf '%s\n' "$line" >&"$FICHIER_OUT"; } 2>/dev/null \
    || { echo "fichier: the co-process is gone" >&2; return 1; }
}

# fichier_wait ID [PROGRESS_FUNCTION] — waits for the answer to request ID. Answers to other
# requests are kept for their own fichier_wait; the request's event/progress lines go to
# `PROGRESS_FUNCTION PARAMS_JSON`. Sets FICHIER_RESULT or FICHIER_ERROR.
fichier_wait() {
  local id=$1 progress=${2:-} line fields kind answer_id method request_id
  FICHIER_RESULT=
  FICHIER_ERROR=
  while :; do
    if [[ -n ${FICHIER_STASH[$id]+set} ]]; then
      line=${FICHIER_STASH[$id]}
      unset "FICHIER_STASH[$id]"
      _fichier_answer "$line"
      return
    fi
    if [[ -n ${FICHIER_TIMEOUT:-} ]]; then
      IFS= read -r -t "$FICHIER_TIMEOUT" -u "$FICHIER_IN" line || {
        _fichier_lost "no answer from fichier serve within ${FICHIER_TIMEOUT}s"
        return
      }
    else
      IFS= read -r -u "$FICHIER_IN" line || {
        _fichier_lost "fichier serve exited"
        return
      }
    fi
    [[ -n $line ]] || continue
    fields=$(jq -r '[if has("id") then "answer" else "event" end, (.id // "" | tostring),
                     (.method // ""), (.params.requestId // "" | tostring)] | join("\u001f")' <<< "$line" 2>/dev/null) || continue
    IFS=$'\x1f' read -r kind answer_id method request_id <<< "$fields"
    if [[ $kind == answer ]]; then
      if [[ $answer_id == "$id" ]]; then
        _fichier_answer "$line"
        return
      fi
      FICHIER_STASH[$answer_id]=$line
      continue
    fi
    local params
    params=$(jq -c '.params // {}' <<< "$line")
    if [[ $method == event/progress && $request_id == "$id" && -n $progress ]]; then
      "$progress" "$params"
    fi
    if [[ -n ${FICHIER_EVENTS:-} ]]; then
      "$FICHIER_EVENTS" "$method" "$params"
    fi
  done
}

# fichier_call METHOD [PARAMS_JSON] [PROGRESS_FUNCTION] — a request and its answer.
fichier_call() {
  fichier_send "$1" "${2:-}" || return
  fichier_wait "$FICHIER_LAST_ID" "${3:-}"
}

# fichier_cancel ID — asks the server to stop request ID (it then answers -32800, status 130).
fichier_cancel() {
  local line
  line=$(jq -nc --arg id "$1" '{jsonrpc: "2.0", method: "$/cancel", params: {id: $id}}')
  { printf '%s\n' "$line" >&"$FICHIER_OUT"; } 2>/dev/null || true
}

# fichier_stop [SECONDS] — lets running work finish (shutdown drain), closes the server's
# input and waits for it to exit (killing it after SECONDS, default 30). Returns its status.
fichier_stop() {
  local limit=${1:-30} status=0 waited=0
  [[ -n ${FICHIER_PID:-} ]] || return 0
  if fichier_running; then
    fichier_call shutdown '{"mode":"drain"}' >/dev/null 2>&1 || true
  fi
  [[ -n ${FICHIER_OUT:-} ]] && exec {FICHIER_OUT}>&-
  FICHIER_OUT=
  while kill -0 "$FICHIER_PID" 2>/dev/null && ((waited < limit * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$FICHIER_PID" 2>/dev/null; then
    echo "fichier: fichier serve did not stop within ${limit}s; killing it" >&2
    kill "$FICHIER_PID" 2>/dev/null || true
  fi
  wait "$FICHIER_PID" 2>/dev/null || status=$?
  [[ -n ${FICHIER_IN:-} ]] && exec {FICHIER_IN}<&-
  FICHIER_IN=
  FICHIER_PID=
  return "$status"
}

# fichier_progress_stderr PARAMS_JSON — a progress function: one line per event on stderr.
fichier_progress_stderr() {
  jq -r '"fichier: \(.phase) \(.bytesDone)" + (if .bytesTotal then "/\(.bytesTotal) bytes (\((.bytesDone * 100 / (if .bytesTotal > 0 then .bytesTotal else 1 end)) | floor)%)" else " bytes" end)' <<< "$1" >&2
}

# --- the 1fichier methods, with params built safely from arguments ---------------------------

# fichier_ls PATH — fs/list (the first page: up to 5000 entries).
fichier_ls() { fichier_call fs/list "$(jq -nc --arg p "${1:-/}" '{path: $p, pageSize: 5000}')"; }
# fichier_stat PATH|URL
fichier_stat() { fichier_call fs/stat "$(_fichier_target "$1")"; }
# fichier_mkdir PATH — with parents; an existing folder is fine.
fichier_mkdir() { fichier_call fs/mkdir "$(jq -nc --arg p "$1" '{path: $p, parents: true}')"; }
# fichier_rm PATH|URL — a missing file is fine.
fichier_rm() { fichier_call fs/delete "$(_fichier_target "$1")"; }
# fichier_upload [--encrypt|--no-encrypt] [--encrypt-names] LOCAL REMOTE [PROGRESS_FUNCTION]
# [IF_EXISTS] — REMOTE ending in / is a folder. --encrypt stores an age file (NAME.age, or an
# encrypted name with --encrypt-names) for the unlocked vault's key; without either flag the
# vault profile's default applies.
fichier_upload() {
  local extra='{}'
  while [[ ${1:-} == --* ]]; do
    case $1 in
      --encrypt) extra=$(jq -c '. + {encrypt: true}' <<< "$extra") ;;
      --no-encrypt) extra=$(jq -c '. + {encrypt: false}' <<< "$extra") ;;
      --encrypt-names) extra=$(jq -c '. + {encryptNames: true}' <<< "$extra") ;;
      --) shift; break ;;
      *) echo "fichier: fichier_upload: unknown option $1" >&2; return 2 ;;
    esac
    shift
  done
  (($# >= 2)) || { echo "fichier: fichier_upload needs LOCAL and REMOTE" >&2; return 2; }
  local local_path=$1
  [[ $local_path == /* ]] || local_path=$PWD/$local_path
  fichier_call transfer/upload "$(jq -nc --arg l "$local_path" --arg r "$2" --arg e "${4:-duplicate}" --argjson x "$extra" \
    '{local: $l, remote: $r, ifExists: $e} + $x')" "${3:-}"
}
# fichier_download [--decrypt auto|always|never] PATH|URL LOCAL [PROGRESS_FUNCTION] — replaces
# LOCAL if it exists. age files are decrypted with the vault's key (auto, the default when a
# vault exists); never keeps the stored bytes.
fichier_download() {
  local decrypt=''
  while [[ ${1:-} == --* ]]; do
    case $1 in
      --decrypt) decrypt=${2:-}; shift ;;
      --decrypt=*) decrypt=${1#--decrypt=} ;;
      --) shift; break ;;
      *) echo "fichier: fichier_download: unknown option $1" >&2; return 2 ;;
    esac
    shift
  done
  (($# >= 2)) || { echo "fichier: fichier_download needs PATH|URL and LOCAL" >&2; return 2; }
  local local_path=$2 params
  [[ $local_path == /* ]] || local_path=$PWD/$local_path
  if [[ $1 == http://* || $1 == https://* ]]; then
    params=$(jq -nc --arg u "$1" --arg l "$local_path" '{url: $u, local: $l, overwrite: true}')
  else
    params=$(jq -nc --arg r "$1" --arg l "$local_path" '{remote: $r, local: $l, overwrite: true}')
  fi
  [[ -z $decrypt ]] || params=$(jq -c --arg d "$decrypt" '. + {decrypt: $d}' <<< "$params")
  fichier_call transfer/download "$params" "${3:-}"
}
# fichier_link PATH|URL — a direct download URL valid 5 minutes (in .url of FICHIER_RESULT).
fichier_link() { fichier_call link/get "$(_fichier_target "$1")"; }

# --- internals -------------------------------------------------------------------------------

_fichier_target() {
  if [[ $1 == http://* || $1 == https://* ]]; then
    jq -nc --arg u "$1" '{url: $u}'
  else
    jq -nc --arg p "$1" '{path: $p}'
  fi
}

# Sets FICHIER_RESULT or FICHIER_ERROR from an answer line and returns its status.
_fichier_answer() {
  local parsed code kind subject message
  if jq -e 'has("result")' <<< "$1" >/dev/null 2>&1; then
    FICHIER_RESULT=$(jq -c '.result' <<< "$1")
    return 0
  fi
  FICHIER_ERROR=$(jq -c '.error' <<< "$1")
  parsed=$(jq -r '[(.error.code // -32603 | tostring), (.error.data.kind // ""), (.error.data.subject // ""),
                   (.error.message // "unknown error" | gsub("[\n\r]"; " "))] | join("\u001f")' <<< "$1")
  IFS=$'\x1f' read -r code kind subject message <<< "$parsed"
  echo "fichier: $message" >&2
  return "$(fichier_exit_status "$code" "$subject")"
}

_fichier_lost() {
  FICHIER_ERROR=$(jq -nc --arg m "$1" '{code: -32603, message: $m, data: {kind: "server_exited", retryable: true}}')
  echo "fichier: $1" >&2
  return 1
}

# fichier_exit_status CODE [SUBJECT] — the one-shot CLI's exit status for an error code.
fichier_exit_status() {
  case $1 in
    0) echo 0 ;;
    -32700 | -32600 | -32601 | -32602 | -32002 | 1001 | 1002 | 1306 | 1402) echo 2 ;;
    -32800) echo 130 ;;
    1004 | 1200 | 1500) echo 5 ;;
    1100 | 1101 | 1102 | 1103 | 1104) echo 7 ;;
    1201) echo 8 ;;
    1300) if [[ ${2:-} == folder ]]; then echo 3; else echo 4; fi ;;
    1301 | 1302 | 1303 | 1304 | 1305 | 1400 | 1401) echo 6 ;;
    1600 | 1603) echo 10 ;;
    1601) echo 12 ;;
    1602) echo 11 ;;
    *) echo 1 ;;
  esac
}

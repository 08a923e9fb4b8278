#!/usr/bin/env bash
# Runs the headless Neovim test (tests/run.lua) against `fichier serve --sandbox`, then looks
# at the sandbox's data with the one-shot CLI, independently of the plugin.
export TEST_NAME=nvim
# shellcheck source=SCRIPTDIR/../../testlib.bash
source "$(dirname "$0")/../../testlib.bash"

command -v nvim >/dev/null || { log "nvim is not installed"; exit 2; }
plugin=$(cd "$(dirname "$0")/.." && pwd)
log "$(nvim --version | head -n 1)"

status=0
FICHIER_TEST_DIR=$TEST_TMP timeout 180 nvim --headless -u NONE -i NONE --cmd "set rtp+=$plugin" \
  -c "luafile $plugin/tests/run.lua" > "$TEST_TMP/nvim.out" 2> "$TEST_TMP/nvim.err" < /dev/null || status=$?
if ((status == 0)); then
  grep '^nvim: ' "$TEST_TMP/nvim.err" | grep -v ': ok: ' >&2 || true
else
  cat "$TEST_TMP/nvim.err" >&2 # the message area is written to stderr in headless mode
fi
expect_eq "the headless Neovim test exits 0 ($(grep -c ': ok: ' "$TEST_TMP/nvim.err") checks passed inside)" "$status" "0"

# What the plugin uploaded is really in the sandbox.
"$FICHIER_BIN" download --sandbox "$TEST_TMP/sandbox" /nvim/notes.txt "$TEST_TMP/notes.txt" > /dev/null 2>&1 \
  || fail "the plugin's upload is not in the sandbox"
expect_eq "the uploaded buffer's bytes" "$(cat "$TEST_TMP/notes.txt")" "$(printf 'hello from neovim\nsecond line ✓')"
"$FICHIER_BIN" download --sandbox "$TEST_TMP/sandbox" "/nvim/big file.bin" "$TEST_TMP/big.bin" > /dev/null 2>&1 \
  || fail "the plugin's file upload is not in the sandbox"
check "the uploaded file's bytes" cmp "$TEST_TMP/big.bin" "$TEST_TMP/big file.bin"
check "no co-process is left running" test -z "$(pgrep -f -- "serve --sandbox $TEST_TMP/sandbox" || true)"

finish

#!/usr/bin/env bash
# Runs the ERT tests (tests/fichier-tests.el) in a batch Emacs against `fichier serve
# --sandbox`, then looks at the sandbox's data with the one-shot CLI, independently of
# fichier.el.
export TEST_NAME=emacs
# shellcheck source=SCRIPTDIR/../../testlib.bash
source "$(dirname "$0")/../../testlib.bash"

command -v emacs >/dev/null || { log "emacs is not installed"; exit 2; }
package=$(cd "$(dirname "$0")/.." && pwd)
log "$(emacs --version | head -n 1)"

# fichier.el byte-compiles without a single warning (into the scratch directory).
check "fichier.el byte-compiles without warnings" quietly emacs --batch -Q -L "$package" --eval "(progn
  (setq byte-compile-error-on-warn t
        byte-compile-dest-file-function (lambda (_) \"$TEST_TMP/fichier.elc\"))
  (kill-emacs (if (byte-compile-file \"$package/fichier.el\") 0 1)))"

status=0
FICHIER_TEST_DIR=$TEST_TMP timeout 300 emacs --batch -Q -L "$package" -l "$package/tests/fichier-tests.el" \
  -f ert-run-tests-batch-and-exit > "$TEST_TMP/emacs.out" 2> "$TEST_TMP/emacs.err" < /dev/null || status=$?
if ((status == 0)); then
  grep -E '^ +passed |^Ran ' "$TEST_TMP/emacs.err" >&2 || true
else
  cat "$TEST_TMP/emacs.err" >&2 # ERT reports on stderr in batch mode
fi
expect_eq "the ERT tests exit 0 ($(grep -c '^ *passed ' "$TEST_TMP/emacs.err") passed)" "$status" "0"

# What fichier.el uploaded is really in the sandbox.
"$FICHIER_BIN" download --sandbox "$TEST_TMP/sandbox" "/ert-data/ert scratch.txt" "$TEST_TMP/scratch.txt" \
  > /dev/null 2>&1 || fail "the uploaded scratch buffer is not in the sandbox"
expect_eq "the uploaded buffer's bytes" "$(cat "$TEST_TMP/scratch.txt")" "$(printf 'hello from emacs\nsecond line ✓')"
"$FICHIER_BIN" download --sandbox "$TEST_TMP/sandbox" "/ert/notes file.txt" "$TEST_TMP/notes.txt" \
  > /dev/null 2>&1 || fail "the uploaded file is not in the sandbox"
check "the uploaded file's bytes" cmp "$TEST_TMP/notes.txt" "$TEST_TMP/saved/notes file.txt"
check "no co-process is left running" test -z "$(pgrep -f -- "serve --sandbox $TEST_TMP/sandbox" || true)"

finish

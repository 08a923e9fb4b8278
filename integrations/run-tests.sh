#!/usr/bin/env bash
# Runs every integration's tests with the real host programs against the built fichier
# (FICHIER_BIN, default .build/debug/fichier) and prints a summary. Exits 1 if any failed.
#   integrations/run-tests.sh [shell] [backup] [nvim] [emacs] [python] [git-annex-protocol] [git-annex]
set -uo pipefail
set -f # suite commands are split into words, never globbed
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export FICHIER_BIN=${FICHIER_BIN:-$root/.build/debug/fichier}
export PYTHONDONTWRITEBYTECODE=1
[[ -x $FICHIER_BIN ]] || { echo "run-tests: no fichier binary at $FICHIER_BIN" >&2; exit 2; }

declare -A suites=(
  [shell]="$here/shell/tests/test-fichier-bash.sh"
  [backup]="$here/backup/tests/test-nightly-backup.sh"
  [nvim]="$here/nvim/tests/run.sh"
  [emacs]="$here/emacs/tests/run.sh"
  [python]="python3 -m unittest discover -s $here/python/tests"
  [git-annex]="$here/git-annex/tests/test-git-annex.sh"
  [git-annex-protocol]="python3 -m unittest discover -s $here/git-annex/tests -p test_*.py"
)
order=(shell backup nvim emacs python git-annex-protocol git-annex)
(($#)) && order=("$@")

failed=()
summary=()
for name in "${order[@]}"; do
  [[ -n ${suites[$name]:-} ]] || { echo "run-tests: unknown suite $name (${!suites[*]})" >&2; exit 2; }
  echo "run-tests: $name" >&2
  started=$SECONDS
  # shellcheck disable=SC2086 # the python suite is a command line
  if ${suites[$name]} >&2; then
    summary+=("ok      $name ($((SECONDS - started)) s)")
  else
    summary+=("FAILED  $name ($((SECONDS - started)) s)")
    failed+=("$name")
  fi
done
printf 'run-tests: %s\n' "${summary[@]}" >&2
((${#failed[@]} == 0)) || { echo "run-tests: failed: ${failed[*]}" >&2; exit 1; }

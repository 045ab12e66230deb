#!/usr/bin/env bash
# Moves the kernel's implementation classes under io.mlobj.internal.. and formats the result.
# Re-runnable on any tree (see tools/internalize.py); run from anywhere inside the repository.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
python3 tools/internalize.py "$@"
if [[ " $* " != *" --dry-run "* ]]; then
  MAVEN_OPTS="${MAVEN_OPTS:--Xmx1g}" mvn -B -o -q spotless:apply
fi

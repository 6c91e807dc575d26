#!/usr/bin/env bash
# cfn-lint (with the SAM translator it depends on) lints template.yaml offline. It is a Python tool
# that `npm ci` does not install and this script installs nothing: it uses the cfn-lint on PATH, else
# one under the pyenv versions, and otherwise stops, saying how to install it (pipx or pip).
set -euo pipefail
cd "$(dirname "$0")/.."
lint=$(command -v cfn-lint || true)
if [ -z "$lint" ]; then
  for candidate in "$HOME"/.pyenv/versions/*/bin/cfn-lint /root/.pyenv/versions/*/bin/cfn-lint; do
    if [ -x "$candidate" ]; then lint=$candidate; break; fi
  done
fi
if [ -z "$lint" ]; then
  echo "cfn-lint not found; install it with: pipx install cfn-lint (or: pip install cfn-lint)" >&2
  exit 1
fi
"$lint" --version
"$lint" template.yaml
echo "cfn-lint: template.yaml clean"

#!/usr/bin/env bash
# cfn-lint (with the SAM translator) lints template.yaml offline. It is a Python tool: use the one on
# PATH, else one under the pyenv versions, else install it with pip.
set -euo pipefail
cd "$(dirname "$0")/.."
lint=$(command -v cfn-lint || true)
if [ -z "$lint" ]; then
  for candidate in "$HOME"/.pyenv/versions/*/bin/cfn-lint /root/.pyenv/versions/*/bin/cfn-lint; do
    if [ -x "$candidate" ]; then lint=$candidate; break; fi
  done
fi
if [ -z "$lint" ]; then
  echo "cfn-lint not found; install it with: pip install cfn-lint" >&2
  exit 1
fi
"$lint" --version
"$lint" template.yaml
echo "cfn-lint: template.yaml clean"

#!/usr/bin/env bash
# Rollback in seconds: points a deployed function's `live` alias — what the HTTP API and the chat
# rooms invoke — back at the version before the one it serves now, or at the version given. Every
# `sam deploy` that changes a function publishes a new version and moves `live` to it; older versions
# stay, so shifting the alias is the whole rollback. The next `sam deploy` moves `live` forward again.
#
# Usage: scripts/rollback.sh <stack-name> [--function <logical id>] [--to <version>] [--dry-run]
#   --function  MessageReviewFunction or TokenVendingFunction (default: both)
#   --to        the version to serve (needs --function: versions are numbered per function)
#   --dry-run   print what would change, change nothing
# Needs the AWS CLI v2 with credentials for the stack's account and region.
set -euo pipefail

usage() {
  sed -n '7,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

stack=""
functions=(MessageReviewFunction TokenVendingFunction)
target=""
dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --function)
      [ $# -ge 2 ] || usage
      case "$2" in
        MessageReviewFunction | TokenVendingFunction) functions=("$2") ;;
        *) echo "rollback: unknown function $2" >&2; usage ;;
      esac
      shift 2 ;;
    --to)
      [ $# -ge 2 ] || usage
      [[ "$2" =~ ^[0-9]+$ ]] || { echo "rollback: --to needs a version number; got $2" >&2; exit 2; }
      target=$2
      shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage ;;
    -*) echo "rollback: unknown option $1" >&2; usage ;;
    *) [ -z "$stack" ] || usage; stack=$1; shift ;;
  esac
done
[ -n "$stack" ] || usage
if [ -n "$target" ] && [ ${#functions[@]} -ne 1 ]; then
  echo "rollback: --to needs --function (each function numbers its own versions)" >&2
  exit 2
fi

for logical_id in "${functions[@]}"; do
  name=$(aws cloudformation describe-stack-resource --stack-name "$stack" --logical-resource-id "$logical_id" \
    --query 'StackResourceDetail.PhysicalResourceId' --output text)
  current=$(aws lambda get-alias --function-name "$name" --name live --query 'FunctionVersion' --output text)
  if [ -n "$target" ]; then
    version=$target
  else
    # The highest published version below the one `live` serves ($LATEST is never a rollback target).
    version=$(aws lambda list-versions-by-function --function-name "$name" --query 'Versions[].Version' --output text |
      tr '\t' '\n' | grep -E '^[0-9]+$' | awk -v current="$current" '$1 < current' | sort -n | tail -n 1 || true)
    if [ -z "$version" ]; then
      echo "rollback: $logical_id ($name) has no version older than $current" >&2
      exit 1
    fi
  fi
  if [ "$version" = "$current" ]; then
    echo "$logical_id: live already serves version $current"
    continue
  fi
  if $dry_run; then
    echo "$logical_id: live would move from version $current to $version (dry run)"
    continue
  fi
  aws lambda update-alias --function-name "$name" --name live --function-version "$version" >/dev/null
  echo "$logical_id: live moved from version $current to $version (undo: --function $logical_id --to $current)"
done

#!/usr/bin/env bash
# Writes tests/QualityHub.Data.Tests/Fixtures/<name>.db with QualityHub as it was at COMMIT (its migrations, its EF
# version, its entity classes), for the upgrade test. Usage: tools/upgrade-fixture/make.sh [COMMIT [NAME]]
set -euo pipefail
cd "$(dirname "$0")/../.."
commit=${1:-c1cefe3}
name=${2:-qualityhub-20261201050000}
out="$PWD/tests/QualityHub.Data.Tests/Fixtures/$name.db"
[ ! -e "$out" ] || { echo "make.sh: $out exists; delete it first to write it again." >&2; exit 1; }

old=$(mktemp -d)/qualityhub
git worktree add --detach "$old" "$commit" >/dev/null
trap 'git worktree remove --force "$old"' EXIT
cp -r tools/upgrade-fixture "$old/tools/"
mkdir -p "$(dirname "$out")"
dotnet run --project "$old/tools/upgrade-fixture" -v quiet -- "$out"

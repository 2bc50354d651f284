#!/usr/bin/env bash
# QualityHub's test command: installs what the tests need when it is missing, checks formatting,
# runs every test in the solution (the Data and Web tests on SQLite, then again on PostgreSQL),
# and ends with one line "N passed, M failed, K skipped".
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests use: Chromium for the browser tests (Playwright cannot download its own here),
# the ONNX backend test cases for conformance, Fashion-MNIST's IDX files for the image readers.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -d /usr/share/libonnx-testdata/data/node ] || missing+=(libonnx-testdata)
dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || missing+=(dataset-fashion-mnist)
# SkiaSharp's native library (JPEG, WebP, BMP and GIF decoding) links against fontconfig.
dpkg -s libfontconfig1 >/dev/null 2>&1 || missing+=(libfontconfig1)
# PostgreSQL's and Redis's servers: the tests start throwaway PostgreSQL clusters and Redis servers on free loopback
# ports themselves (TestSupport's PostgresTestServer and RedisTestServer) and stop them when the test process ends.
# They never use a server the packages may have set up or started (Debian's main cluster on 5432, redis on 6379).
[ -x "$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)" ] || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]} from Debian"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in dotnet npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test.sh: '$tool' is not on PATH; QualityHub needs the .NET SDK and Node.js with npm." >&2; exit 1; }
done

# npm packages are installed by the build itself (build/FrontEndPackages.targets).
dotnet tool restore
dotnet build QualityHub.sln -nologo -v quiet
dotnet format QualityHub.sln --verify-no-changes --no-restore

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test QualityHub.sln --no-build -nologo 2>&1 | tee "$log" || status=$?

# The same Data tests and the Web tests of the app itself (HTTP API, hub, hosting) again with PostgreSQL as the
# engine (TestSupport's TestDatabase: each app its own database on a throwaway server). Tests about one engine only
# ran above, in the first pass, and so did the bUnit component tests (Kind=component): they test rendering, and the
# services under them are the ones the API tests run on both engines.
for project in tests/QualityHub.Data.Tests tests/QualityHub.Web.Tests; do
  echo "test.sh: $project on PostgreSQL"
  QUALITYHUB_TEST_DATABASE=postgres dotnet test "$project" --no-build -nologo --filter "Engine!=sqlite&Engine!=postgres&Kind!=component" 2>&1 | tee -a "$log" || status=$?
done

# One closing line over all test assemblies, from their "Passed! - Failed: …" summaries.
awk '/(Passed|Failed)! +- +Failed: / {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
       n++ }
     END { if (n == 0) { print "no test assembly reported a result"; exit 1 } printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log" || status=1
exit "$status"

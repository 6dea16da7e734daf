#!/usr/bin/env bash
# Rosetta's soak (GitHub issue 6; not part of CI). See docs/reliability.md.
#
#   bench/soak.sh [MINUTES]      (default 10)
#
# Runs dev.rosetta.reliability.SoakTest in-process: 64 concurrent clients over every dialect pair
# against a fault-injecting fake provider for MINUTES, one request in five with an upstream fault.
# Every 30 s it records the live heap, requests in flight and upstream connections open; the
# figures end up in target/reliability/soak.txt. Exit status 0 when every answer was as expected
# and nothing leaked (heap back within 64 MB of its post-warm-up level, no request or connection left).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-10}
[ -n "${JAVA_HOME:-}" ] || { for j in /usr/lib/jvm/*; do [ -x "$j/bin/javac" ] && JAVA_HOME=$j; done; export JAVA_HOME; }
status=0
./mvnw -B -q test -Dtest=SoakTest -Drosetta.soak.minutes="$MINUTES" -Dsurefire.failIfNoSpecifiedTests=false || status=$?
cat target/reliability/soak.txt 2>/dev/null || true
exit $status

#!/usr/bin/env bash
# How fast a fresh Rosetta process reaches steady throughput, with and without a JDK 25 AOT cache
# (JEP 483/514/515: classes loaded and linked ahead of time, plus method profiles from a training run).
# See docs/performance.md, "Warm-up".
#
#   bench/warmup.sh [-r 3] [-t 20]
#
#   -r, --rounds N    fresh starts measured per variant (default 3), variants alternating
#   -t, --train S     seconds of training load for the AOT cache (default 20)
#
# The workload is bench/cluster.sh's mix (every client dialect against every provider of the nginx
# mock, whole and streamed) at 16 connections. For each start: the JVM is launched, the load begins as
# soon as /health answers and runs as 30 one-second wrk loads back to back; reported are the time from
# launch to the 10,000th completed request, the requests completed in the 30 loads, and the CPU time (user + system) the process used in its
# first 30 s. Variants: "baseline" (./rosetta start's flags) and "aot" (the same with
# -XX:AOTCache=FILE instead of the class-data archive; the cache is made first by a training run of
# the same workload with -XX:AOTCacheOutput=FILE). Results: bench/out/warmup-<timestamp>/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=3
TRAIN=20
while [ $# -gt 0 ]; do
  case "$1" in
    -r|--rounds) ROUNDS=$2; shift 2 ;;
    -t|--train) TRAIN=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "warmup.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
. bench/jdk.sh
JAR=target/rosetta.jar
[ -f "$JAR" ] || ./rosetta build
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$ROOT/bench/out/warmup-$STAMP"
TMP=$(mktemp -d)
mkdir -p "$OUT"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
TICK=$(getconf CLK_TCK)
cpu_seconds() { awk -v t="$TICK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }

MOCK_PORT=$(free_port)
BODIES="$ROOT/bench/bodies"
cat >"$TMP/mock.conf" <<EOF
worker_processes 1;
daemon off;
pid $TMP/mock.pid;
error_log $TMP/mock-error.log warn;
events { worker_connections 4096; }
http {
  client_body_temp_path $TMP/mock-body;
  access_log off;
  keepalive_requests 100000000;
  types { application/json json; text/event-stream sse; }
  server {
    listen 127.0.0.1:$MOCK_PORT;
    location = /v1/chat/completions { error_page 405 =200 /_bodies/openai-chat.json; return 405; }
    location = /v1/responses { error_page 405 =200 /_bodies/openai-responses.json; return 405; }
    location = /v1/messages { error_page 405 =200 /_bodies/anthropic-messages.json; return 405; }
    location ~ "^/v1(beta)?/models/[^/]+:generateContent\$" { error_page 405 =200 /_bodies/gemini-generate.json; return 405; }
    location ~ "^/v1(beta)?/models/[^/]+:streamGenerateContent\$" { error_page 405 =200 /_bodies/gemini-stream.sse; return 405; }
    location = /stream/v1/chat/completions { error_page 405 =200 /_bodies/openai-chat.sse; return 405; }
    location = /stream/v1/responses { error_page 405 =200 /_bodies/openai-responses.sse; return 405; }
    location = /stream/v1/messages { error_page 405 =200 /_bodies/anthropic-messages.sse; return 405; }
    location /_bodies/ { internal; alias $BODIES/; }
  }
}
EOF
"$NGINX" -p "$TMP" -c "$TMP/mock.conf" -e "$TMP/mock-error.log" & PIDS+=($!)
GW_PORT=$(free_port)
export BENCH_GATEWAY_PORT=$GW_PORT BENCH_MOCK_PORT=$MOCK_PORT BENCH_PACED_PORT=1 BENCH_CLIENT_KEY=none
sed 's/^access_log: true/access_log: false/' bench/rosetta-bench.yaml >"$TMP/warmup.yaml"
cp bench/requests/*.json bench/cluster/responses.json "$TMP/"
FLAGS=(-XX:+UseSerialGC -Xms64m -Xmn40m -Xmx256m -XX:MaxDirectMemorySize=128m -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=1000)

launch() { # extra JVM flags...
  "$JAVA_HOME/bin/java" "${FLAGS[@]}" "$@" -jar "$JAR" --config "$TMP/warmup.yaml" >>"$OUT/gateway.log" 2>&1 &
  GW=$!
  PIDS+=($GW)
}
stop() { kill -TERM "$GW"; wait "$GW" 2>/dev/null || true; }
wait_health() { for _ in $(seq 1 400); do curl -sf "http://127.0.0.1:$GW_PORT/health" >/dev/null && return 0; sleep 0.05; done; return 1; }
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- the caches
# The class-data archive ./rosetta start makes on its first stop, and the AOT cache from a training run.
launch -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile="$TMP/rosetta.jsa"; wait_health
wrk -t1 -c16 -d5s -s bench/cluster/mixed.lua "http://127.0.0.1:$GW_PORT" -- "$TMP" >/dev/null; stop
launch -XX:AOTCacheOutput="$TMP/rosetta.aot"; wait_health
wrk -t1 -c16 -d"${TRAIN}s" -s bench/cluster/mixed.lua "http://127.0.0.1:$GW_PORT" -- "$TMP" >/dev/null; stop
ls -la "$TMP/rosetta.aot" "$TMP/rosetta.jsa" >"$OUT/caches.txt"

measure() { # NAME flags...
  local name=$1; shift
  local t0; t0=$(now_ms)
  launch "$@"
  wait_health
  local ready=$(( $(now_ms) - t0 )) total=0 at10k="" cpu30=""
  for s in $(seq 1 30); do
    n=$(wrk -t1 -c16 -d1s -s bench/cluster/mixed.lua "http://127.0.0.1:$GW_PORT" -- "$TMP" | awk '/WRK_RESULT/ { split($2, a, "="); print a[2] }')
    total=$((total + n))
    if [ -z "$at10k" ] && [ "$total" -ge 10000 ]; then at10k=$(( $(now_ms) - t0 )); fi
    if [ -z "$cpu30" ] && [ $(( $(now_ms) - t0 )) -ge 30000 ]; then cpu30=$(cpu_seconds "$GW"); fi
    last=$n
  done
  [ -n "$cpu30" ] || cpu30=$(cpu_seconds "$GW")
  stop
  echo "| $name | $ready | ${at10k:-not reached} | $total | $cpu30 | $last |" >>"$OUT/results.md"
  echo "== $name: health after $ready ms, 10,000 requests after ${at10k:-n/a} ms, $total requests in 30 s, CPU $cpu30 s, last second $last req/s"
}
{
  echo "# bench/warmup.sh, $STAMP"
  echo
  echo "- Machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg); $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "- Caches: $(awk '{print $5, $9}' "$OUT/caches.txt" | sed "s|$TMP/||" | tr '\n' ' ')(bytes)"
  echo
  echo "| variant | ms to /health | ms to 10,000 requests | requests in 30 one-second loads | CPU s in first 30 s | req/s in the 30th load |"
  echo "|---|---|---|---|---|---|"
} >"$OUT/results.md"
for r in $(seq 1 "$ROUNDS"); do
  measure baseline -XX:SharedArchiveFile="$TMP/rosetta.jsa"
  measure aot -XX:AOTCache="$TMP/rosetta.aot"
done
cat "$OUT/results.md"

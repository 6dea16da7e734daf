#!/usr/bin/env bash
# Rosetta as several replicas on this machine (GitHub issue 17). See docs/operations.md for the method
# and the latest results.
#
#   bench/cluster.sh [-d 10s] [-c 32] [-f 40] [--jar target/rosetta.jar]
#
#   -d, --duration D     length of each throughput load, as wrk takes it (default 10s; 5s of warm-up first)
#   -c, --connections N  wrk connections for the throughput loads (default 32)
#   -f, --failover S     seconds of the correctness load, during which replica 2 is stopped with SIGTERM
#                        and started again (default 40)
#
# Starts: the nginx mock provider of bench/run.sh (fixed bodies), three Rosetta replicas sharing the
# machine's PostgreSQL (127.0.0.1:5432, database test, a schema of its own) and Redis (127.0.0.1:6379,
# a key prefix of its own), and nginx load balancers in front of 1, 2 and 3 of them. Then:
#   1. throughput through the balancer at 1, 2 and 3 replicas: wrk, every client dialect against every
#      provider, whole and streamed (bench/cluster/mixed.lua);
#   2. correctness: bench/ClusterLoad.java sends the same mix through the 3-replica balancer with a key
#      without limits and one with rpm 12, while replica 2 gets SIGTERM and is started again: every
#      answer must be 200 and complete, the limited key's only 200 or 429 and no more 200s than its
#      limit allows across the replicas; after all replicas stop, every answered request is in the
#      ledger exactly once.
# Every process it starts is stopped by PID on exit; the schema and the Redis keys are dropped.
# Results: bench/out/cluster-<timestamp>/results.md. Exit 0 when the correctness checks pass.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=10s
CONNS=32
FAILOVER=40
JAR=target/rosetta.jar
while [ $# -gt 0 ]; do
  case "$1" in
    -d|--duration) DURATION=$2; shift 2 ;;
    -c|--connections) CONNS=$2; shift 2 ;;
    -f|--failover) FAILOVER=$2; shift 2 ;;
    --jar) JAR=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for t in wrk curl psql redis-cli; do
  command -v "$t" >/dev/null 2>&1 || { echo "cluster.sh: missing $t (apt-get install -y wrk curl postgresql-client redis-tools nginx-light)" >&2; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "cluster.sh: missing nginx (apt-get install -y nginx-light)" >&2; exit 2; }
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "cluster.sh: PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 2; }
[ "$(redis-cli -h 127.0.0.1 ping 2>/dev/null)" = PONG ] || { echo "cluster.sh: Redis does not answer on 127.0.0.1:6379" >&2; exit 2; }

. bench/jdk.sh
[ -f "$JAR" ] || ./rosetta build

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$ROOT/bench/out/cluster-$STAMP"
TMP=$(mktemp -d)
mkdir -p "$OUT"
SCHEMA="rosetta_cluster_$$"
PREFIX="rosetta-cluster-$$:"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 --scan --pattern "${PREFIX}*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$1/ready" >/dev/null && return 0; sleep 0.5; done; echo "cluster.sh: port $1 never ready" >&2; return 1; }

# ---------------------------------------------------------------- the mock provider (as bench/run.sh's)
MOCK_PORT=$(free_port)
BODIES="$ROOT/bench/bodies"
cat >"$TMP/mock.conf" <<EOF
worker_processes 1;
daemon off;
pid $TMP/mock.pid;
error_log $TMP/mock-error.log warn;
events { worker_connections 8192; }
http {
  client_body_temp_path $TMP/mock-body;
  access_log off;
  keepalive_requests 100000000;
  types { application/json json; text/event-stream sse; }
  server {
    listen 127.0.0.1:$MOCK_PORT;
    add_header x-request-id req_bench_mock always;
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

# ---------------------------------------------------------------- the replicas' configuration
FREE_KEY=$("$JAVA_HOME/bin/java" -jar "$JAR" --new-key)
LIMITED_KEY=$("$JAVA_HOME/bin/java" -jar "$JAR" --new-key)
export ROSETTA_ADMIN_KEY="cluster-admin-$(date +%s%N)"
export FREE_KEY LIMITED_KEY
cat >"$TMP/cluster.yaml" <<EOF
host: 127.0.0.1
port: 0
shutdown_grace: 20s
access_log: false
auth: keys
admin_key: \${ROSETTA_ADMIN_KEY}
state_secret: "cluster-bench-state-secret-0123456789"
store: "postgresql://postgres@127.0.0.1:5432/test?schema=$SCHEMA"
redis: redis://127.0.0.1:6379
redis_key_prefix: "$PREFIX"
redis_timeout: 2s                # this shared machine is often overloaded: 50 ms would fail open and let the limited key through
ledger_spool: "\${LEDGER_SPOOL}"
providers:
  - {name: oai-json, type: openai,    base_url: "http://127.0.0.1:$MOCK_PORT/v1",        api_key: bench-key, timeout: 30s}
  - {name: oai-sse,  type: openai,    base_url: "http://127.0.0.1:$MOCK_PORT/stream/v1", api_key: bench-key, timeout: 30s}
  - {name: ant-json, type: anthropic, base_url: "http://127.0.0.1:$MOCK_PORT",           api_key: bench-key, timeout: 30s}
  - {name: ant-sse,  type: anthropic, base_url: "http://127.0.0.1:$MOCK_PORT/stream",    api_key: bench-key, timeout: 30s}
  - {name: gem,      type: gemini,    base_url: "http://127.0.0.1:$MOCK_PORT",           api_key: bench-key, timeout: 30s}
models:
  - {name: oai-json, provider: oai-json, upstream_model: gpt-4o}
  - {name: oai-sse,  provider: oai-sse,  upstream_model: gpt-4o}
  - {name: ant-json, provider: ant-json, upstream_model: claude-sonnet-4-20250514}
  - {name: ant-sse,  provider: ant-sse,  upstream_model: claude-sonnet-4-20250514}
  - {name: gem-json, provider: gem,      upstream_model: gemini-2.0-flash}
  - {name: gem-sse,  provider: gem,      upstream_model: gemini-2.0-flash}
tenants:
  - name: bench
keys:
  - {name: free, tenant: bench, key: "\${FREE_KEY}"}
  - {name: limited, tenant: bench, key: "\${LIMITED_KEY}", limits: {rpm: 12}}
# cache: (the response cache) would go here
EOF

PORTS=($(free_port) $(free_port) $(free_port))
REPLICA_PID=()
start_replica() { # INDEX
  LEDGER_SPOOL="$TMP/ledger-$1.spool" "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms64m -Xmn40m -Xmx256m \
    -XX:MaxDirectMemorySize=128m -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=1000 \
    -jar "$JAR" --config "$TMP/cluster.yaml" --port "${PORTS[$1]}" >>"$OUT/replica-$1.log" 2>&1 &
  REPLICA_PID[$1]=$!
  PIDS+=($!)
}
# the first one alone: it migrates the schema
start_replica 0; wait_ready "${PORTS[0]}"
start_replica 1; start_replica 2
wait_ready "${PORTS[1]}"; wait_ready "${PORTS[2]}"

# ---------------------------------------------------------------- load balancers for 1, 2 and 3 replicas
LB_PORTS=()
for n in 1 2 3; do
  port=$(free_port); LB_PORTS+=("$port")
  servers=""
  for i in $(seq 0 $((n - 1))); do servers+="    server 127.0.0.1:${PORTS[$i]} max_fails=1 fail_timeout=2s;"$'\n'; done
  cat >"$TMP/lb$n.conf" <<EOF
worker_processes 1;
daemon off;
pid $TMP/lb$n.pid;
error_log $TMP/lb$n-error.log warn;
events { worker_connections 8192; }
http {
  client_body_temp_path $TMP/lb$n-body;
  proxy_temp_path $TMP/lb$n-proxy;
  access_log off;
  keepalive_requests 100000000;
  upstream rosetta {
$servers    keepalive 128;
  }
  server {
    listen 127.0.0.1:$port;
    client_max_body_size 32m;
    location / {
      proxy_pass http://rosetta;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 3;
    }
  }
}
EOF
  "$NGINX" -p "$TMP" -c "$TMP/lb$n.conf" -e "$TMP/lb$n-error.log" & PIDS+=($!)
done
sleep 1

# ---------------------------------------------------------------- 1. throughput at 1, 2, 3 replicas
export BENCH_CLIENT_KEY=$FREE_KEY
cp bench/requests/*.json bench/cluster/responses.json "$TMP/"
{
  echo "# bench/cluster.sh, $STAMP"
  echo
  echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); each replica: $(nproc) event loops, SerialGC, -Xmx256m"
  echo "- Load: wrk -t2 -c$CONNS, $DURATION after 5s of warm-up, through nginx (1 worker), every client dialect x provider, whole and streamed"
  echo
  echo "| replicas | req/s | p50 ms | p99 ms | errors |"
  echo "|---|---|---|---|---|"
} >"$OUT/results.md"
for n in 1 2 3; do
  url="http://127.0.0.1:${LB_PORTS[$((n - 1))]}"
  wrk -t2 -c"$CONNS" -d5s --timeout 10s -s bench/cluster/mixed.lua "$url" -- "$TMP" >/dev/null
  wrk -t2 -c"$CONNS" -d"$DURATION" --timeout 10s -s bench/cluster/mixed.lua "$url" -- "$TMP" >"$OUT/wrk-$n.txt"
  line=$(grep WRK_RESULT "$OUT/wrk-$n.txt")
  get() { echo "$line" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
  errors=$(( $(get connect) + $(get read) + $(get write) + $(get status) + $(get timeout) ))
  awk -v n="$n" -v rps="$(get rps)" -v p50="$(get p50_us)" -v p99="$(get p99_us)" -v e="$errors" \
    'BEGIN { printf "| %d | %.0f | %.1f | %.1f | %d |\n", n, rps, p50 / 1000, p99 / 1000, e }' >>"$OUT/results.md"
  echo "== $n replica(s): $(get rps) req/s, errors $errors"
done

# ---------------------------------------------------------------- 2. correctness while a replica restarts
url="http://127.0.0.1:${LB_PORTS[2]}"
"$JAVA_HOME/bin/java" -cp "$JAR" bench/ClusterLoad.java load "$url" "$FAILOVER" 8 "$FREE_KEY" "$LIMITED_KEY" 12 "$OUT" \
  >"$OUT/load.txt" 2>&1 &
LOAD=$!
sleep $((FAILOVER / 4))
echo "== SIGTERM to replica 2 (pid ${REPLICA_PID[1]})"
kill -TERM "${REPLICA_PID[1]}"; wait "${REPLICA_PID[1]}" || true
sleep $((FAILOVER / 8))
echo "== starting replica 2 again"
start_replica 1; wait_ready "${PORTS[1]}"
status=0
wait "$LOAD" || status=1
cat "$OUT/load.txt"
# Every replica stops (flushing its ledger), then the ledger is read.
for i in 0 1 2; do kill -TERM "${REPLICA_PID[$i]}" 2>/dev/null || true; done
for i in 0 1 2; do wait "${REPLICA_PID[$i]}" 2>/dev/null || true; done
"$JAVA_HOME/bin/java" -cp "$JAR" bench/ClusterLoad.java verify "jdbc:postgresql://127.0.0.1:5432/test" postgres "$SCHEMA" "$OUT" \
  || status=1
{
  echo
  echo "Correctness run ($FAILOVER s through the 3-replica balancer, replica 2 stopped with SIGTERM at $((FAILOVER / 4)) s and started again):"
  echo
  echo "- $(cat "$OUT/load-summary.txt" 2>/dev/null)"
  echo "- $(cat "$OUT/ledger-summary.txt" 2>/dev/null)"
  echo "- verdict: $([ $status -eq 0 ] && echo pass || echo FAIL)"
} >>"$OUT/results.md"
cat "$OUT/results.md"
exit $status

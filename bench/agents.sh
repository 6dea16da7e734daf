#!/usr/bin/env bash
# Coding agents and the AI SDK through Rosetta, against every provider type.
# See docs/agents.md for what it runs, the versions and the latest result.
#
#   bench/agents.sh [-a "AGENTS"] [-p "PROVIDERS"] [-t SECONDS] [--jar target/rosetta.jar]
#
#   -a, --agents L      agents to run, space-separated (default: all): claude-code codex codex-fn-tools
#                       gemini-cli ai-sdk-openai-chat ai-sdk-openai-responses ai-sdk-anthropic ai-sdk-google
#   -p, --providers L   provider types behind Rosetta (default: all): openai-chat openai-responses
#                       anthropic gemini
#   -t, --timeout S     bound on each agent run (default 120)
#       --trace         run each agent under strace and fail a cell whose agent connects anywhere but
#                       the front gateway (attempts at the dead proxy, DNS, any other address)
#       --jar FILE      the gateway jar (default target/rosetta.jar, built with ./rosetta build when
#                       missing or older than the sources)
#
# Installs the pinned agents of bench/agents/package-lock.json with `npm ci` (into the gitignored
# bench/agents/node_modules; Node 22 comes from the pinned `node` package, as Claude Code and the
# AI SDK need it). Then, all on 127.0.0.1: an upstream Rosetta serving only its offline mock models
# speaks each provider's real wire format; for each provider type a front Rosetta maps every model
# name the agents ask for to that upstream, and each agent runs once non-interactively through it,
# with a temporary HOME, its telemetry and update checks off and a dead proxy for anything not local.
# A run passes when the agent exits 0, the front gateway answered every request of the run without
# an error status, and the answer carries the mock's reply with the result of one tool round trip
# (the prompt asks the mock to call the agent's own file-reading tool; not for Codex's default
# model, see below).
# Output: bench/out/agents-<timestamp>/ (results.md, each front gateway's access log, each run's
# stdout and stderr). Exit status: 0 when every cell passed, 1 otherwise, 2 for bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ALL_AGENTS="claude-code codex codex-fn-tools gemini-cli ai-sdk-openai-chat ai-sdk-openai-responses ai-sdk-anthropic ai-sdk-google"
ALL_PROVIDERS="openai-chat openai-responses anthropic gemini"
AGENTS=$ALL_AGENTS
PROVIDERS=$ALL_PROVIDERS
TIMEOUT=120
JAR=target/rosetta.jar
TRACE=no

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    -a|--agents) AGENTS=$2; shift 2 ;;
    -p|--providers) PROVIDERS=$2; shift 2 ;;
    -t|--timeout) TIMEOUT=$2; shift 2 ;;
    --jar) JAR=$2; shift 2 ;;
    --trace) TRACE=yes; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "agents.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
for a in $AGENTS; do [[ " $ALL_AGENTS " == *" $a "* ]] || { echo "agents.sh: unknown agent $a" >&2; exit 2; }; done
for p in $PROVIDERS; do [[ " $ALL_PROVIDERS " == *" $p "* ]] || { echo "agents.sh: unknown provider type $p" >&2; exit 2; }; done

[ "$TRACE" = no ] || command -v strace >/dev/null 2>&1 || { echo "agents.sh: --trace needs strace" >&2; exit 2; }
for t in npm curl timeout; do
  command -v "$t" >/dev/null 2>&1 || { echo "agents.sh: needs $t on the PATH" >&2; exit 2; }
done

# ---------------------------------------------------------------- the pinned agents
AG="$ROOT/bench/agents"
if [ ! -f "$AG/node_modules/.package-lock.json" ] || [ "$AG/package-lock.json" -nt "$AG/node_modules/.package-lock.json" ]; then
  echo "== npm ci in bench/agents (pinned versions of package-lock.json)"
  (cd "$AG" && npm ci --no-audit --no-fund --loglevel=error)
fi
BIN="$AG/node_modules/.bin"
# The agents' launchers start with `#!/usr/bin/env node`: the pinned Node 22 comes first on the PATH.
NODE_VERSION=$("$BIN/node" --version)
version_of() { "$BIN/node" -p "require('$AG/node_modules/$1/package.json').version"; }

# ---------------------------------------------------------------- the gateway
. bench/jdk.sh   # the working directory is the repository root from here on
if [ "$JAR" = target/rosetta.jar ] && { [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; }; then
  echo "== building $JAR"
  ./rosetta build
fi
[ -f "$JAR" ] || { echo "agents.sh: no jar at $JAR" >&2; exit 2; }

STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$ROOT/bench/out/agents-$STAMP"
mkdir -p "$OUT"
# The agents' HOME and working directory: outside this repository, so no agent sees its git state.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rosetta-agents.XXXXXX")

# ---------------------------------------------------------------- process bookkeeping
PIDS=()
stop_pid() { # PID: TERM, wait up to 10 s, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[$i]}"; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_gateway NAME CONFIG: starts a Rosetta on a free port; sets PORT and GW_PID
start_gateway() {
  local name=$1 config=$2 log="$OUT/$1.log" i
  env -i PATH=/usr/bin:/bin "$JAVA_HOME/bin/java" -Xmx256m -jar "$JAR" --config "$config" --port 0 >"$log" 2>&1 &
  GW_PID=$!
  PIDS+=("$GW_PID")
  PORT=""
  for i in $(seq 300); do
    PORT=$(sed -n 's|^Rosetta listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$log" | head -1)
    [ -n "$PORT" ] && curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && return 0
    kill -0 "$GW_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "agents.sh: gateway $name did not start; its log:" >&2
  cat "$log" >&2
  exit 1
}

# The upstream: Rosetta's offline mock models, which answer in every dialect (streams included).
cat >"$OUT/upstream.yaml" <<'EOF'
access_log: false
providers:
  - name: mock
    type: mock
models:
  - name: mock-*
    provider: mock
EOF
start_gateway upstream "$OUT/upstream.yaml"
UP=$PORT

# front_config TYPE: the front gateway's configuration for one provider type. The model names are
# every one the agents ask for (see docs/agents.md); anything else gets a 404, which shows up in
# the access log as a name to add.
front_config() {
  local provider upstream_model
  case "$1" in
    openai-chat) provider="type: openai
    base_url: http://127.0.0.1:$UP/v1
    api: chat"; upstream_model=mock-gpt ;;
    openai-responses) provider="type: openai
    base_url: http://127.0.0.1:$UP/v1
    api: responses"; upstream_model=mock-gpt ;;
    anthropic) provider="type: anthropic
    base_url: http://127.0.0.1:$UP"; upstream_model=mock-claude ;;
    gemini) provider="type: gemini
    base_url: http://127.0.0.1:$UP"; upstream_model=mock-gemini ;;
  esac
  cat <<EOF
access_log: true
providers:
  - name: $1
    $provider
    api_key: unused
models:
EOF
  local name
  for name in 'claude-*' 'gpt-*' 'codex-*' 'o1*' 'o3*' 'o4*' 'gemini-*'; do
    printf '  - name: "%s"\n    provider: %s\n    upstream_model: %s\n' "$name" "$1" "$upstream_model"
  done
}

# ---------------------------------------------------------------- the agents
# The mock answers "Hello from Rosetta's mock model <model>. ..." in the client's dialect. The prompt's
# marker [[mock-tool NAME {args}]] makes it first call the agent's own file-reading tool NAME (when
# the request offers it); the agent runs the tool and sends its result, which the mock quotes
# ("The tool said: ..."). The token of note.txt in the final answer proves the whole tool round trip
# through both gateways. With its default model Codex offers its tools in an `additional_tools` input
# item: a namespace holding a freeform (`custom`) `exec` tool that runs JavaScript, which calls the
# other tools (`tools.exec_command`). Converted, that is a function with one string argument, and the
# mock calls it with a script that runs `cat note.txt`. The mock itself, answering in the Responses
# dialect, does not call namespaced or freeform tools, so the relayed pairing (openai-responses)
# checks the text only. With a model it has no metadata for (codex-fn-tools: gpt-5-codex) Codex
# offers plain function tools, and its exec_command runs `cat note.txt`.
TOKEN=rosetta-tool-ok-7f3a
EXPECT="Hello from Rosetta's mock model"
prompt_for() { # AGENT WORKDIR
  case "$1" in
    claude-code) printf '[[mock-tool Read {"file_path":"%s/note.txt"}]] Read note.txt.' "$2" ;;
    codex) printf '%s' "[[mock-tool exec {\"input\":\"const r = await tools.exec_command({cmd: 'cat note.txt'}); text(r.output);\"}]] Read note.txt." ;;
    codex-fn-tools) printf '[[mock-tool exec_command {"cmd":"cat note.txt"}]] Read note.txt.' ;;
    gemini-cli) printf '[[mock-tool read_file {"file_path":"note.txt"}]] Read note.txt.' ;;
    ai-sdk-*) printf '[[mock-tool read_note {"name":"todo"}]] Read my todo note.' ;;
  esac
}
expected_token() { # AGENT PROVIDER: what the final answer must carry besides the mock's greeting
  case "$1/$2" in
    codex/openai-responses) echo "$EXPECT" ;;
    ai-sdk-*) echo "rosetta-ai-sdk-tool-ok" ;;
    *) echo "$TOKEN" ;;
  esac
}

# The whole environment every agent gets (env -i): nothing of this machine's user (no keys, no agent
# settings), and a dead proxy for anything not local (an update check or telemetry call fails at
# once instead of leaving the machine).
base_env() {
  local home=$1
  echo PATH="$BIN:/usr/bin:/bin" HOME="$home" TMPDIR="$home/tmp" LANG=C.UTF-8 TERM=dumb NO_COLOR=1 CI=1 \
    HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
    NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
}

# run_agent AGENT GATEWAY_URL DIR PROVIDER: runs one agent; its stdout, stderr and exit code go to DIR.
run_agent() {
  local agent=$1 url=$2 dir=$3 home="$TMP/$agent-$4/home" work="$TMP/$agent-$4/work"
  mkdir -p "$home/tmp" "$work"
  printf 'The token is %s.\n' "$TOKEN" >"$work/note.txt"
  local PROMPT
  PROMPT=$(prompt_for "$agent" "$work")
  local cmd=()
  case "$agent" in
    claude-code)
      cmd=(env -i $(base_env "$home") ANTHROPIC_BASE_URL="$url" ANTHROPIC_API_KEY=unused
        DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1 DISABLE_ERROR_REPORTING=1 DISABLE_BUG_COMMAND=1
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
        claude -p "$PROMPT"
        --max-turns 4 --output-format text) ;;
    codex|codex-fn-tools)
      mkdir -p "$home/codex"
      cat >"$home/codex/config.toml" <<EOF
model_provider = "rosetta"
check_for_update_on_startup = false

[model_providers.rosetta]
name = "Rosetta"
base_url = "$url/v1"
env_key = "ROSETTA_API_KEY"
wire_api = "responses"

[analytics]
enabled = false

[feedback]
enabled = false

# Without this Codex syncs its curated plugins from GitHub and chatgpt.com at every start.
[features]
plugins = false
EOF
      local model=()
      [ "$agent" = codex ] || model=(-c 'model="gpt-5-codex"')
      cmd=(env -i $(base_env "$home") CODEX_HOME="$home/codex" ROSETTA_API_KEY=unused
        codex exec "${model[@]}" --skip-git-repo-check --color never
        "$PROMPT") ;;
    gemini-cli)
      mkdir -p "$home/.gemini"
      cat >"$home/.gemini/settings.json" <<'EOF'
{
  "security": { "auth": { "selectedType": "gemini-api-key" } },
  "privacy": { "usageStatisticsEnabled": false },
  "telemetry": { "enabled": false },
  "general": { "disableAutoUpdate": true, "disableUpdateNag": true }
}
EOF
      cmd=(env -i $(base_env "$home") GEMINI_API_KEY=unused GOOGLE_GEMINI_BASE_URL="$url" GEMINI_CLI_TRUST_WORKSPACE=true
        gemini --output-format text -p "$PROMPT") ;;
    ai-sdk-*)
      cmd=(env -i $(base_env "$home") node "$AG/ai-sdk.mjs" "${agent#ai-sdk-}" "$url" "$PROMPT") ;;
  esac
  [ "$TRACE" = no ] || cmd=(strace -f -qq -e trace=connect -o "$dir/connects" "${cmd[@]}")
  local rc=0
  (cd "$work" && timeout -k 5 "$TIMEOUT" "${cmd[@]}" </dev/null >"$dir/stdout" 2>"$dir/stderr") || rc=$?
  echo "$rc" >"$dir/rc"
  return 0
}

# ---------------------------------------------------------------- the matrix
declare -A RESULT
PASSED=0
FAILED=0
for provider in $PROVIDERS; do
  front_config "$provider" >"$OUT/front-$provider.yaml"
  start_gateway "front-$provider" "$OUT/front-$provider.yaml"
  FRONT_PID=$GW_PID
  for agent in $AGENTS; do
    dir="$OUT/$agent/$provider"
    mkdir -p "$dir"
    printf '%-24s %-17s ' "$agent" "$provider"
    seen=$(wc -l <"$OUT/front-$provider.log")
    run_agent "$agent" "http://127.0.0.1:$PORT" "$dir" "$provider"
    rc=$(cat "$dir/rc")
    sleep 0.2 # the access log is written in batches every 50 ms: this run's last lines land first
    # This run's requests, from the front gateway's access log: any error answer fails the cell,
    # even one the agent survives (Gemini CLI falls back when its router's request fails).
    tail -n +"$((seen + 1))" "$OUT/front-$provider.log" | grep '^{' >"$dir/access.log" || true
    error=$(grep -m1 '"status":[45][0-9][0-9]' "$dir/access.log" || true)
    if [ "$TRACE" = yes ]; then
      # Every IPv4/IPv6 connect but the front gateway's port (Unix sockets are local by nature).
      grep -E 'sa_family=AF_INET6?' "$dir/connects" | grep -v "htons($PORT)" >"$dir/outbound" || true
      [ -s "$dir/outbound" ] && [ -z "$error" ] && error="connects elsewhere: $(head -1 "$dir/outbound" | grep -oE 'sin6?_port=htons\([0-9]+\), .*addr[^)]*\)' | head -1)"
    fi
    if [ "$rc" = 0 ] && [ -z "$error" ] && grep -qF "$EXPECT" "$dir/stdout" && grep -qF "$(expected_token "$agent" "$provider")" "$dir/stdout"; then
      RESULT[$agent/$provider]=pass; PASSED=$((PASSED + 1)); echo pass
    else
      if [[ $error == connects* ]]; then
        why=$error
      elif [ -n "$error" ]; then
        why="$(sed -n 's/.*"path":"\([^"]*\)".*"status":\([0-9]*\).*"outcome":"\(.*\)"}$/\2 on \1: \3/p' <<<"$error")"
        [ "$rc" = 0 ] || why="exit $rc; $why"
      elif [ "$rc" = 124 ]; then why="timed out after ${TIMEOUT}s"
      elif [ "$rc" != 0 ]; then why="exit $rc"
      else why="answer lacks the mock's reply or the tool's result"
      fi
      RESULT[$agent/$provider]="FAIL ($why)"; FAILED=$((FAILED + 1)); echo "FAIL ($why)"
    fi
  done
  stop_pid "$FRONT_PID"
done

# ---------------------------------------------------------------- report
{
  echo "# Coding agents through Rosetta ($STAMP)"
  echo
  echo "Node $NODE_VERSION; Claude Code $(version_of @anthropic-ai/claude-code), Codex CLI $(version_of @openai/codex)," \
    "Gemini CLI $(version_of @google/gemini-cli), AI SDK ai $(version_of ai) with @ai-sdk/openai $(version_of @ai-sdk/openai)," \
    "@ai-sdk/anthropic $(version_of @ai-sdk/anthropic), @ai-sdk/google $(version_of @ai-sdk/google)."
  echo
  printf '| agent |'; for p in $PROVIDERS; do printf ' %s |' "$p"; done; echo
  printf '|---|'; for p in $PROVIDERS; do printf '%s' '---|'; done; echo
  for a in $AGENTS; do
    printf '| %s |' "$a"; for p in $PROVIDERS; do printf ' %s |' "${RESULT[$a/$p]}"; done; echo
  done
  echo
  echo "Models asked for (from the access logs):"
  for a in $AGENTS; do
    printf -- '- %s: %s\n' "$a" "$(cat "$OUT/$a"/*/access.log | grep -o '"path":"[^"]*","model":"[^"]*"' \
      | sed 's/.*"model":"\(.*\)"/\1/' | grep -v '^$' | sort -u | paste -sd' ')"
  done
} >"$OUT/results.md"
echo
cat "$OUT/results.md"
echo
echo "Logs: $OUT"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]

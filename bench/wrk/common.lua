-- Shared by every bench/wrk script. A scenario script sets `scenario` (path, headers) and then
-- loads this file. run.sh passes the rendered request body file as the first script argument:
--   wrk ... -s bench/wrk/openai-to-openai.lua URL -- /path/to/body.json
-- With no path in `scenario`, the URL's path is used (the direct-to-mock loads).
-- A header value's ${KEY} is the gateway key run.sh created, from BENCH_CLIENT_KEY.

local function read_file(path)
  local f = assert(io.open(path, "rb"), "cannot open request body " .. tostring(path))
  local s = f:read("*a")
  f:close()
  return s
end

function init(args)
  wrk.method = "POST"
  wrk.body = read_file(args[1])
  if scenario and scenario.path then
    wrk.path = scenario.path
  end
  wrk.headers["Content-Type"] = "application/json"
  local key = os.getenv("BENCH_CLIENT_KEY") or "bench-client-key"
  for k, v in pairs((scenario and scenario.headers) or {}) do
    wrk.headers[k] = v:gsub("%${KEY}", function() return key end)
  end
end

-- One machine-readable line for run.sh; latencies in microseconds.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end

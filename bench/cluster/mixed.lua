-- bench/cluster.sh's throughput load: every client dialect against every provider, whole and streamed,
-- taken in turn by each connection. Arguments: the directory of request templates (bench/requests and
-- bench/cluster/responses.json). The gateway key comes from BENCH_CLIENT_KEY.
local kinds = {}

local function read_file(path)
  local f = assert(io.open(path, "rb"), "cannot open " .. path)
  local s = f:read("*a")
  f:close()
  return s
end

function init(args)
  local dir = args[1]
  local key = os.getenv("BENCH_CLIENT_KEY")
  local templates = {
    openai = {path = "/v1/chat/completions", file = dir .. "/openai-chat.json", auth = {["Authorization"] = "Bearer " .. key}},
    responses = {path = "/v1/responses", file = dir .. "/responses.json", auth = {["Authorization"] = "Bearer " .. key}},
    anthropic = {path = "/v1/messages", file = dir .. "/anthropic-messages.json",
                 auth = {["x-api-key"] = key, ["anthropic-version"] = "2023-06-01"}},
    gemini = {file = dir .. "/gemini.json", auth = {["x-goog-api-key"] = key}},
  }
  local providers = {{"oai-json", "oai-sse"}, {"ant-json", "ant-sse"}, {"gem-json", "gem-sse"}}
  for client, t in pairs(templates) do
    local text = read_file(t.file)
    for _, p in ipairs(providers) do
      for i, stream in ipairs({"false", "true"}) do
        local model = p[i]
        local body = text:gsub("%${MODEL}", model):gsub("%${STREAM}", stream)
        local path = t.path
        if client == "gemini" then
          path = "/v1beta/models/" .. model .. (stream == "true" and ":streamGenerateContent?alt=sse" or ":generateContent")
        end
        local headers = {["Content-Type"] = "application/json"}
        for k, v in pairs(t.auth) do headers[k] = v end
        kinds[#kinds + 1] = wrk.format("POST", path, headers, body)
      end
    end
  end
  counter = math.random(#kinds)
end

function request()
  counter = counter % #kinds + 1
  return kinds[counter]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT requests=%d rps=%.1f p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end

-- Reserves one request's charges, all or nothing (see dev.rosetta.limits.Gcra for the arithmetic).
-- KEYS: the buckets. ARGV[1]: now (ms, the gateway's clock); ARGV[2]: the request's lease;
-- ARGV[3]: lease length (ms) for concurrency slots; ARGV[4]: room factor; then per bucket: kind ('r' rate,
-- 'c' concurrency), limit, period (ms), cost, extra. Returns {refused index (0: granted), retry ms (-1: never
-- fits), then per bucket remaining, reset ms, leased}.
-- A granted request's rate bucket also gives the replica up to its extra units ahead (a lease, see
-- dev.rosetta.redis.Leases): the room left after the request divided by the room factor, at most extra, and
-- nothing when that is less than an eighth of extra; so near the limit every request is decided here.
-- Remaining and reset are reported before the lease (what the replica holds is still the client's to use).
local now = tonumber(ARGV[1])
local lease = ARGV[2]
local leaseMs = tonumber(ARGV[3])
local room = tonumber(ARGV[4])
local eps = 1e-6
local n = #KEYS
local out = {0, 0}
local stride = 3
local next = {}
local before = {}
local refused = 0
local retry = 0
local function remaining(tat, limit, interval)
  local used = math.max(0, tat - now) / interval
  return math.max(0, math.floor(limit - used + eps))
end
local function reset(tat)
  return math.max(0, math.ceil(tat - now - eps))
end
for i = 1, n do
  local a = 5 + (i - 1) * 5
  local kind, limit, period, cost = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  if kind == 'r' then
    local interval = period / limit
    local base = math.max(tonumber(redis.call('GET', KEYS[i]) or now), now)
    before[i] = base
    local tat = base + cost * interval
    local fits = refused == 0
    if cost > limit then
      if fits then refused, retry = i, -1 end
      fits = false
    elseif tat - now - period > eps then
      if fits then refused, retry = i, math.max(1, math.ceil(tat - now - period)) end
      fits = false
    end
    if not fits then tat = base end
    next[i] = tat
    out[stride * i] = remaining(tat, limit, interval)
    out[stride * i + 1] = reset(tat)
    out[stride * i + 2] = 0
  else
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
    local count = redis.call('ZCARD', KEYS[i])
    if count + cost > limit then
      if refused == 0 then refused, retry = i, (cost > limit) and -1 or 1000 end
    elseif refused == 0 then
      count = count + cost
    end
    out[stride * i] = limit - count
    out[stride * i + 1] = 0
    out[stride * i + 2] = 0
  end
end
if refused == 0 then
  for i = 1, n do
    local a = 5 + (i - 1) * 5
    if ARGV[a] == 'r' then
      local extra = tonumber(ARGV[a + 4])
      local limit = tonumber(ARGV[a + 1])
      if extra > 0 then
        local give = math.min(extra, math.floor(remaining(next[i], limit, tonumber(ARGV[a + 2]) / limit) / room))
        if give * 8 >= extra then
          next[i] = next[i] + give * tonumber(ARGV[a + 2]) / limit
          out[stride * i + 2] = give
        end
      end
      local ttl = math.ceil(next[i] - now) + 1000
      redis.call('SET', KEYS[i], string.format('%.3f', next[i]), 'PX', ttl)
    elseif tonumber(ARGV[a + 3]) > 0 then
      redis.call('ZADD', KEYS[i], now + leaseMs, lease)
      redis.call('PEXPIRE', KEYS[i], leaseMs)
    end
  end
else
  -- a refusal reports the state before this request, as if it had not asked
  for i = 1, n do
    local a = 5 + (i - 1) * 5
    if i < refused and ARGV[a] == 'c' then
      out[stride * i] = out[stride * i] + tonumber(ARGV[a + 3])
    elseif i < refused then
      local interval = tonumber(ARGV[a + 2]) / tonumber(ARGV[a + 1])
      out[stride * i] = remaining(before[i], tonumber(ARGV[a + 1]), interval)
      out[stride * i + 1] = reset(before[i])
    end
  end
end
out[1] = refused
out[2] = retry
return out

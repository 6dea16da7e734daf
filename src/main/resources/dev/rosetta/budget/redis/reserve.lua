-- Reserves one request's estimated cost against budget counters, all or nothing.
-- KEYS: the counters (hashes: spent, reserved; nano-USD). ARGV[1]: now (ms, the gateway's clock); ARGV[2]: room
-- factor; then per counter: limit, cost, soft (1/0), ttl (ms; 0: keep for good), extra. A hard counter fits while
-- spent < limit and spent + reserved + cost <= limit. A counter Redis did not hold (a new period, or Redis lost
-- it) is born now: its field born records when, and until the ledger's spend before that is added (seed.lua,
-- which sets seeded) the answer reports born so the gateway can add it.
-- A granted request also reserves up to extra for the replica ahead of its next requests (a lease, see
-- dev.rosetta.redis.Leases): the room left after it divided by the room factor, at most extra, and nothing
-- when that is less than an eighth of extra (or the counter is soft and over).
-- Returns {refused index (0: granted), then per counter spent, reserved (after the decision, before any lease),
-- born (0 once seeded), leased}.
-- A counter first seen now is born now; one that held spend before counters had a birth (an upgrade) counts as seeded.
local function born(key, now)
  if redis.call('HSETNX', key, 'born', now) == 1 and redis.call('HLEN', key) > 1 then
    redis.call('HSET', key, 'seeded', '1')
  end
end
local n = #KEYS
local now = ARGV[1]
local room = tonumber(ARGV[2])
local out = {0}
local refused = 0
local spents = {}
for i = 1, n do
  local a = 2 + (i - 1) * 5
  local limit, cost, soft = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3] == '1'
  born(KEYS[i], now)
  local v = redis.call('HMGET', KEYS[i], 'spent', 'reserved', 'born', 'seeded')
  local spent, reserved = tonumber(v[1] or 0), tonumber(v[2] or 0)
  if refused == 0 and not soft and (spent >= limit or spent + reserved + cost > limit) then
    refused = i
  end
  spents[i] = spent
  out[4 * i - 2] = spent
  out[4 * i - 1] = reserved
  out[4 * i] = v[4] and 0 or tonumber(v[3])
  out[4 * i + 1] = 0
end
for i = 1, n do
  local a = 2 + (i - 1) * 5
  local ttl = tonumber(ARGV[a + 4])
  if refused == 0 then
    local reserved = redis.call('HINCRBY', KEYS[i], 'reserved', tonumber(ARGV[a + 2]))
    out[4 * i - 1] = reserved
    local limit, extra = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 5])
    if extra > 0 then
      local give = math.min(extra, math.floor((limit - spents[i] - reserved) / room))
      if give * 8 >= extra then
        redis.call('HINCRBY', KEYS[i], 'reserved', string.format('%d', give))
        out[4 * i + 1] = give
      end
    end
  end
  if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
end
out[1] = refused
return out

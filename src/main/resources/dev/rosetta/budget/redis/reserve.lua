-- Reserves one request's estimated cost against budget counters, all or nothing.
-- KEYS: the counters (hashes: spent, reserved; nano-USD). ARGV per counter: limit, cost, soft (1/0),
-- ttl (ms; 0: keep for good). A hard counter fits while spent < limit and spent + reserved + cost <= limit.
-- Returns {refused index (0: granted), then per counter spent, reserved (after the decision)}.
local n = #KEYS
local out = {0}
local refused = 0
for i = 1, n do
  local a = (i - 1) * 4
  local limit, cost, soft = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3] == '1'
  local v = redis.call('HMGET', KEYS[i], 'spent', 'reserved')
  local spent, reserved = tonumber(v[1] or 0), tonumber(v[2] or 0)
  if refused == 0 and not soft and (spent >= limit or spent + reserved + cost > limit) then
    refused = i
  end
  out[2 * i] = spent
  out[2 * i + 1] = reserved
end
if refused == 0 then
  for i = 1, n do
    local a = (i - 1) * 4
    local cost, ttl = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 4])
    out[2 * i + 1] = redis.call('HINCRBY', KEYS[i], 'reserved', cost)
    if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
  end
end
out[1] = refused
return out

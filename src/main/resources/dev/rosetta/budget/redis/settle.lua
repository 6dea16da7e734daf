-- Settles one request's holds. KEYS: the counters. ARGV[1]: now (ms); then per counter: estimate (the
-- reservation to give back), actual (the cost to add), ttl (ms; 0: keep for good). A counter Redis did not
-- hold is born now (see reserve.lua). Returns per counter spent, reserved after it.
-- A counter first seen now is born now; one that held spend before counters had a birth (an upgrade) counts as seeded.
local function born(key, now)
  if redis.call('HSETNX', key, 'born', now) == 1 and redis.call('HLEN', key) > 1 then
    redis.call('HSET', key, 'seeded', '1')
  end
end
local out = {}
for i = 1, #KEYS do
  local a = 1 + (i - 1) * 3
  local estimate, actual, ttl = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  born(KEYS[i], ARGV[1])
  -- formatted: Lua's -0 of a reservation of nothing would reach Redis as "-0", which HINCRBY refuses
  local reserved = redis.call('HINCRBY', KEYS[i], 'reserved', string.format('%d', -estimate))
  if reserved < 0 then
    redis.call('HSET', KEYS[i], 'reserved', 0)
    reserved = 0
  end
  local spent = redis.call('HINCRBY', KEYS[i], 'spent', actual)
  if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
  out[2 * i - 1] = spent
  out[2 * i] = reserved
end
return out

-- Settles one request's holds. KEYS: the counters. ARGV per counter: estimate (the reservation to give
-- back), actual (the cost to add), ttl (ms; 0: keep for good). Returns per counter spent, reserved after it.
local out = {}
for i = 1, #KEYS do
  local a = (i - 1) * 3
  local estimate, actual, ttl = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local reserved = redis.call('HINCRBY', KEYS[i], 'reserved', -estimate)
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

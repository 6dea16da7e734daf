-- Adds to a counter the spend the ledger holds for its period before the counter was born (ARGV[1], nano-USD),
-- once across replicas: the first to set seeded adds, the others find it set. ARGV[2]: ttl (ms; 0: keep);
-- ARGV[3]: the birth the spend was read for. Returns the spend after it, -1 when the counter was seeded
-- already, -2 when it is not that counter any more (lost and born again since: its own seed follows).
if redis.call('HGET', KEYS[1], 'born') ~= ARGV[3] then
  return -2
end
if redis.call('HSETNX', KEYS[1], 'seeded', '1') == 0 then
  return -1
end
local spent = redis.call('HINCRBY', KEYS[1], 'spent', tonumber(ARGV[1]))
local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return spent

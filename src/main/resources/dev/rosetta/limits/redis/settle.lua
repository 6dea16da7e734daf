-- Settles a reservation. KEYS: the buckets. ARGV[1]: now (ms); ARGV[2]: the request's lease; then per bucket:
-- kind ('r' rate, 'c' concurrency), interval (ms per unit), delta (units, + debt, - refund).
local now = tonumber(ARGV[1])
local lease = ARGV[2]
for i = 1, #KEYS do
  local a = 3 + (i - 1) * 3
  local kind, interval, delta = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  if kind == 'c' then
    redis.call('ZREM', KEYS[i], lease)
  elseif delta ~= 0 then
    local tat = tonumber(redis.call('GET', KEYS[i]) or now)
    if delta > 0 and tat < now then tat = now end
    tat = tat + delta * interval
    if tat > now then
      redis.call('SET', KEYS[i], string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 1000)
    else
      redis.call('DEL', KEYS[i])
    end
  end
end
return 0

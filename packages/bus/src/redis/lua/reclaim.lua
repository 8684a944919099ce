--[[
  Claims entries idle past the visibility timeout for `consumer` (XAUTOCLAIM) and returns each with its
  delivery count, so the caller can dead-letter entries delivered too often.
  KEYS[1] stream
  ARGV[1] group  ARGV[2] consumer  ARGV[3] min idle (ms)  ARGV[4] count  ARGV[5] cursor
  Returns { next cursor, { {id, {field, value, ...}, deliveries}, ... }, deleted ids }.
]]
local res = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[5], 'COUNT', ARGV[4])
local out = {}
for _, entry in ipairs(res[2]) do
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)
  local deliveries = 1
  if pending[1] ~= nil then deliveries = pending[1][4] end
  out[#out + 1] = { entry[1], entry[2], deliveries }
end
return { res[1], out, res[3] or {} }

--[[
  Refreshes a consumer's claim on the entries it works on (resets their idle time without counting a
  delivery), so they are not reclaimed while a long node runs. Entries it no longer owns are left alone.
  KEYS[1] stream
  ARGV[1] group  ARGV[2] consumer  ARGV[3..] entry ids
  Returns the ids the consumer still owns.
]]
--@include owned
local kept = {}
for i = 3, #ARGV do
  if owned(KEYS[1], ARGV[1], ARGV[i], ARGV[2]) then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    kept[#kept + 1] = ARGV[i]
  end
end
return kept

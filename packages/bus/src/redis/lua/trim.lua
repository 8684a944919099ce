--[[
  Trims acknowledged entries: removes every entry older than both the oldest pending entry and the
  group's last delivered entry, so no pending or undelivered entry is ever lost.
  KEYS[1] stream
  ARGV[1] group
  Returns the number of entries removed.
]]
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if not ok then return 0 end
local last = nil
for _, g in ipairs(groups) do
  local name, delivered = nil, nil
  for i = 1, #g, 2 do
    if g[i] == 'name' then name = g[i + 1] end
    if g[i] == 'last-delivered-id' then delivered = g[i + 1] end
  end
  if name == ARGV[1] then last = delivered end
end
if last == nil or last == '0-0' then return 0 end
local summary = redis.call('XPENDING', KEYS[1], ARGV[1])
local minid = last
if summary[1] > 0 then minid = summary[2] end
return redis.call('XTRIM', KEYS[1], 'MINID', minid)

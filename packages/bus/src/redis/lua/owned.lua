-- Fragment included at the top of scripts that change a consumer's entry.
-- owned(stream, group, id, consumer): true when `id` is in the group's pending list and owned by `consumer`.
-- A missing group (Redis restarted empty) counts as not owned.
local function owned(stream, group, id, consumer)
  local ok, pending = pcall(redis.call, 'XPENDING', stream, group, id, id, 1)
  if not ok then return false end
  return pending[1] ~= nil and pending[1][2] == consumer
end

--[[
  A node's progress, which needs no ownership: updates the record's progress when the record exists (never
  creates one: a record without a status would stand in for a job whose state Redis lost, and keep it from
  being re-submitted), and publishes the event.
  KEYS[1] job hash
  ARGV[1] progress or ''  ARGV[2] now  ARGV[3] event JSON  ARGV[4] events channel
  Returns 1 when the record was updated, else 0.
]]
local updated = 0
if ARGV[1] ~= '' and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'progress', ARGV[1], 'updatedAt', ARGV[2])
  updated = 1
end
redis.call('PUBLISH', ARGV[4], ARGV[3])
return updated

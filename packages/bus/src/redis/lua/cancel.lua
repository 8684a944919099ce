--[[
  Sets a job's cancel flag. A job that has not started yet (status queued) is cancelled at once with the
  given graph; a running job is cancelled by its executor (told through the control channel).
  KEYS[1] job hash
  ARGV[1] cancelled graph JSON (used only for a queued job)  ARGV[2] now  ARGV[3] ttl  ARGV[4] event JSON
  ARGV[5] events channel  ARGV[6] control channel  ARGV[7] control message JSON  ARGV[8] failure JSON
  Returns nil for an unknown job, else the status after the call.
]]
local status = redis.call('HGET', KEYS[1], 'status')
if status == false then return nil end
if status == 'completed' or status == 'failed' or status == 'cancelled' then return status end
redis.call('HSET', KEYS[1], 'cancel', '1', 'updatedAt', ARGV[2])
if status == 'queued' then
  redis.call('HSET', KEYS[1], 'status', 'cancelled', 'graph', ARGV[1], 'error', ARGV[8])
  redis.call('PUBLISH', ARGV[5], ARGV[4])
  status = 'cancelled'
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[6], ARGV[7])
return status

--[[
  Re-runs a failed or cancelled job: the record goes back to queued (cancel flag and error cleared) with
  the retry graph (completed nodes kept), and the graph is enqueued, in one step. Any other status: nothing.
  KEYS[1] job hash    KEYS[2] stream of the plane that runs next
  ARGV[1] jobId  ARGV[2] graph JSON  ARGV[3] plane  ARGV[4] progress  ARGV[5] now  ARGV[6] ttl
  ARGV[7] event JSON  ARGV[8] events channel
  Returns 1 when re-queued, 0 when the job is unknown or not failed/cancelled.
]]
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'failed' and status ~= 'cancelled' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'queued', 'progress', ARGV[4], 'graph', ARGV[2], 'plane', ARGV[3],
  'updatedAt', ARGV[5], 'error', '', 'cancel', '0')
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('XADD', KEYS[2], '*', 'jobId', ARGV[1], 'graph', ARGV[2], 'from', 'retry')
redis.call('PUBLISH', ARGV[8], ARGV[7])
return 1

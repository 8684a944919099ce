--[[
  Hands a job to the next plane in one step: persist the graph, enqueue it on the next plane's stream,
  acknowledge the current entry, publish the event. Nothing happens unless the consumer owns the entry.
  KEYS[1] current stream    KEYS[2] job hash    KEYS[3] next stream
  ARGV[1] group  ARGV[2] entry id  ARGV[3] consumer  ARGV[4] graph JSON  ARGV[5] status  ARGV[6] progress
  ARGV[7] now  ARGV[8] ttl  ARGV[9] error JSON or ''  ARGV[10] event JSON  ARGV[11] events channel
  ARGV[12] jobId  ARGV[13] next plane  ARGV[14] current plane
  Returns 'ok', 'lost' or 'cancelled' (see checkpoint.lua).
]]
--@include owned
if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 'lost' end
local cancel = redis.call('HGET', KEYS[2], 'cancel')
if cancel == false or cancel == '1' then return 'cancelled' end
redis.call('HSET', KEYS[2], 'graph', ARGV[4], 'status', ARGV[5], 'progress', ARGV[6], 'updatedAt', ARGV[7],
  'error', ARGV[9], 'plane', ARGV[13])
redis.call('EXPIRE', KEYS[2], ARGV[8])
redis.call('XADD', KEYS[3], '*', 'jobId', ARGV[12], 'graph', ARGV[4], 'from', ARGV[14])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[11], ARGV[10])
return 'ok'

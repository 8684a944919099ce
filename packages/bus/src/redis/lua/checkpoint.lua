--[[
  Persists a running graph while the consumer still owns its entry, and publishes the event.
  KEYS[1] plane stream      KEYS[2] job hash
  ARGV[1] group  ARGV[2] entry id  ARGV[3] consumer  ARGV[4] graph JSON  ARGV[5] status  ARGV[6] progress
  ARGV[7] now  ARGV[8] ttl  ARGV[9] error JSON or ''  ARGV[10] event JSON  ARGV[11] events channel
  Returns 'ok', 'lost' (entry not owned: nothing written) or 'cancelled' (cancel flag set, or the record
  was deleted: nothing written).
]]
--@include owned
if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 'lost' end
local cancel = redis.call('HGET', KEYS[2], 'cancel')
if cancel == false or cancel == '1' then return 'cancelled' end
redis.call('HSET', KEYS[2], 'graph', ARGV[4], 'status', ARGV[5], 'progress', ARGV[6], 'updatedAt', ARGV[7],
  'error', ARGV[9])
redis.call('EXPIRE', KEYS[2], ARGV[8])
redis.call('PUBLISH', ARGV[11], ARGV[10])
return 'ok'

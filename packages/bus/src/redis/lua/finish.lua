--[[
  Ends a job: persist the terminal graph, acknowledge the entry, publish the event, in one step.
  A record deleted meanwhile is not re-created (the entry is only acknowledged).
  KEYS[1] stream    KEYS[2] job hash
  ARGV[1] group  ARGV[2] entry id  ARGV[3] consumer  ARGV[4] graph JSON  ARGV[5] status  ARGV[6] progress
  ARGV[7] now  ARGV[8] ttl  ARGV[9] error JSON or ''  ARGV[10] event JSON  ARGV[11] events channel
  Returns 'ok' or 'lost'.
]]
--@include owned
if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 'lost' end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HSET', KEYS[2], 'graph', ARGV[4], 'status', ARGV[5], 'progress', ARGV[6], 'updatedAt', ARGV[7],
    'error', ARGV[9])
  redis.call('EXPIRE', KEYS[2], ARGV[8])
  redis.call('PUBLISH', ARGV[11], ARGV[10])
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return 'ok'

--[[
  Gives an entry back (graceful shutdown): the graph is enqueued again on the same stream and the entry
  acknowledged, so another consumer picks the job up at once instead of after the visibility timeout.
  KEYS[1] stream    KEYS[2] job hash
  ARGV[1] group  ARGV[2] entry id  ARGV[3] consumer  ARGV[4] graph JSON  ARGV[5] jobId  ARGV[6] now
  ARGV[7] ttl
  Returns 'ok' or 'lost'.
]]
--@include owned
if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 'lost' end
redis.call('XADD', KEYS[1], '*', 'jobId', ARGV[5], 'graph', ARGV[4], 'from', 'release')
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HSET', KEYS[2], 'graph', ARGV[4], 'updatedAt', ARGV[6])
  redis.call('EXPIRE', KEYS[2], ARGV[7])
end
return 'ok'

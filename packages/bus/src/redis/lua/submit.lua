--[[
  Creates a job record and enqueues its graph, atomically. Idempotent: a second call for the same job
  (for example a client retry after a lost reply) changes nothing.
  KEYS[1] job hash          KEYS[2] plane stream
  ARGV[1] jobId  ARGV[2] graph JSON  ARGV[3] plane  ARGV[4] now (ISO)  ARGV[5] ttl (s)
  ARGV[6] event JSON  ARGV[7] events channel
  Returns 1 when created, 0 when the job already exists.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'status', 'queued', 'progress', '0', 'graph', ARGV[2], 'plane', ARGV[3],
  'createdAt', ARGV[4], 'updatedAt', ARGV[4], 'error', '', 'cancel', '0')
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('XADD', KEYS[2], '*', 'jobId', ARGV[1], 'graph', ARGV[2], 'from', 'api')
redis.call('PUBLISH', ARGV[7], ARGV[6])
return 1

--[[
  Re-creates the record of a job whose state the store lost (a Redis that came back empty) from the graph
  an executor still holds, and enqueues it (unless the plane is ''). No ownership check: the old entry is gone.
  KEYS[1] job hash    KEYS[2] stream
  ARGV[1] jobId  ARGV[2] graph JSON  ARGV[3] plane or '' (record only)  ARGV[4] status  ARGV[5] progress  ARGV[6] now
  ARGV[7] ttl  ARGV[8] event JSON  ARGV[9] events channel  ARGV[10] createdAt  ARGV[11] error JSON or ''
  Returns 1.
]]
redis.call('HSET', KEYS[1], 'status', ARGV[4], 'progress', ARGV[5], 'graph', ARGV[2], 'updatedAt', ARGV[6],
  'error', ARGV[11])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'plane', ARGV[3]) end
redis.call('HSETNX', KEYS[1], 'createdAt', ARGV[10])
redis.call('HSETNX', KEYS[1], 'cancel', '0')
redis.call('EXPIRE', KEYS[1], ARGV[7])
if ARGV[3] ~= '' then
  redis.call('XADD', KEYS[2], '*', 'jobId', ARGV[1], 'graph', ARGV[2], 'from', 'requeue')
end
redis.call('PUBLISH', ARGV[9], ARGV[8])
return 1

--[[
  Re-creates the record of a job whose state the store lost (a Redis that came back empty) from the graph
  an executor still holds, and enqueues it. No ownership check: the old entry is gone.
  KEYS[1] job hash    KEYS[2] stream
  ARGV[1] jobId  ARGV[2] graph JSON  ARGV[3] plane  ARGV[4] status  ARGV[5] progress  ARGV[6] now
  ARGV[7] ttl  ARGV[8] event JSON  ARGV[9] events channel  ARGV[10] createdAt
  Returns 1.
]]
redis.call('HSET', KEYS[1], 'status', ARGV[4], 'progress', ARGV[5], 'graph', ARGV[2], 'plane', ARGV[3],
  'updatedAt', ARGV[6], 'error', '')
redis.call('HSETNX', KEYS[1], 'createdAt', ARGV[10])
redis.call('HSETNX', KEYS[1], 'cancel', '0')
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('XADD', KEYS[2], '*', 'jobId', ARGV[1], 'graph', ARGV[2], 'from', 'requeue')
redis.call('PUBLISH', ARGV[9], ARGV[8])
return 1

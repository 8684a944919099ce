--[[
  Moves an entry to the dead-letter stream, acknowledges it and fails its job (when the record exists).
  KEYS[1] stream    KEYS[2] dead-letter stream    KEYS[3] job hash (any key name when the job id is unknown)
  ARGV[1] group  ARGV[2] entry id  ARGV[3] consumer  ARGV[4] plane  ARGV[5] jobId or ''  ARGV[6] code
  ARGV[7] message  ARGV[8] deliveries  ARGV[9] now  ARGV[10] raw fields JSON  ARGV[11] failure JSON
  ARGV[12] graph JSON or ''  ARGV[13] ttl  ARGV[14] event JSON  ARGV[15] events channel
  ARGV[16] dead-letter stream max length
  Returns 'ok' or 'lost'.
]]
--@include owned
if not owned(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 'lost' end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[16], '*', 'plane', ARGV[4], 'entryId', ARGV[2], 'jobId', ARGV[5],
  'code', ARGV[6], 'message', ARGV[7], 'deliveries', ARGV[8], 'at', ARGV[9], 'fields', ARGV[10])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if ARGV[5] ~= '' and redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('HSET', KEYS[3], 'status', 'failed', 'error', ARGV[11], 'updatedAt', ARGV[9])
  if ARGV[12] ~= '' then redis.call('HSET', KEYS[3], 'graph', ARGV[12]) end
  redis.call('EXPIRE', KEYS[3], ARGV[13])
  redis.call('PUBLISH', ARGV[15], ARGV[14])
end
return 'ok'

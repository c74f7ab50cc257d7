-- heartbeat.lua: renew a live lease by the TTL it was admitted with. One
-- atomic step.
-- ARGV: 1 now_us ("" = Redis TIME), 2 attempt.
-- Returns {status, exp_us, now_us}; status "renewed" | "expired".
local P = 'hubgate:{jobs}:'
local S = '\031'
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[1])
end
local attempt = ARGV[2]
local k_lease = P .. 'lease:' .. attempt
local l = redis.call('HMGET', k_lease, 'repo', 'wf', 'job', 'run', 'exp', 'ttl')
if not l[5] or not l[6] or tonumber(l[5]) <= now then
  return {'expired', 0, now}
end
local repo, wf, job, run = l[1], l[2], l[3], l[4]
local ttl_us = tonumber(l[6])
local k_repo = P .. 'repo:' .. repo
local k_wf = P .. 'wf:' .. repo .. S .. wf
local k_job = P .. 'job:' .. repo .. S .. wf .. S .. job
local k_run = P .. 'run:' .. repo .. S .. wf .. S .. run
-- A lease whose slot was pruned is gone, even if its record lingers.
if not redis.call('ZSCORE', k_repo, attempt) then
  redis.call('DEL', k_lease)
  return {'expired', 0, now}
end
local exp = now + ttl_us
redis.call('HSET', k_lease, 'exp', string.format('%.17g', exp))
redis.call('PEXPIRE', k_lease, math.ceil(ttl_us / 1000) + 1000)
redis.call('ZADD', k_repo, 'XX', exp, attempt)
redis.call('ZADD', k_job, 'XX', exp, attempt)
redis.call('ZADD', k_run, 'XX', exp, attempt)
redis.call('ZADD', k_wf, 'GT', exp, run)
for _, k in ipairs({k_repo, k_job, k_run, k_wf}) do
  redis.call('PEXPIRE', k, math.ceil(ttl_us / 1000) + 1000)
end
return {'renewed', exp, now}

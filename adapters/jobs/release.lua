-- release.lua: free a lease's slots at once. One atomic step; releasing an
-- unknown or expired attempt is not an error (the slot is already free).
-- ARGV: 1 attempt. Returns {status}; "released" | "unknown".
local P = 'hubgate:{jobs}:'
local S = '\031'
local attempt = ARGV[1]
local k_lease = P .. 'lease:' .. attempt
local l = redis.call('HMGET', k_lease, 'repo', 'wf', 'job', 'run')
if not l[1] then
  return {'unknown'}
end
local repo, wf, job, run = l[1], l[2], l[3], l[4]
local k_repo = P .. 'repo:' .. repo
local k_wf = P .. 'wf:' .. repo .. S .. wf
local k_job = P .. 'job:' .. repo .. S .. wf .. S .. job
local k_run = P .. 'run:' .. repo .. S .. wf .. S .. run
redis.call('ZREM', k_repo, attempt)
redis.call('ZREM', k_job, attempt)
redis.call('ZREM', k_run, attempt)
-- The run stays in progress while another of its jobs holds a lease.
local r = redis.call('ZRANGE', k_run, -1, -1, 'WITHSCORES')
if r[2] then
  redis.call('ZADD', k_wf, 'XX', r[2], run)
else
  redis.call('ZREM', k_wf, run)
end
redis.call('DEL', k_lease)
return {'released'}

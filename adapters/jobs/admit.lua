-- admit.lua: may this job attempt take a slot now? One atomic decision.
-- KEYS: none (every key is derived here from ARGV under one hash tag, so the
-- script also runs on a Redis Cluster: every key lives in slot {hubgate}).
-- ARGV: 1 now_us ("" = Redis TIME), 2 attempt, 3 repo, 4 workflow, 5 job,
--       6 run, 7 ttl_ms, 8 max_repo, 9 max_workflow (0 = none),
--       10 max_job (0 = none), 11 capacity (0 = none), 12 refill per minute.
-- Returns {status, limit, value, current, expected_us, lease_exp_us, now_us}
-- status: "admitted" | "existing" | "denied" | "conflict".
local P = 'hubgate:{jobs}:'
local S = '\031'
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[1])
end
local attempt, repo, wf, job, run = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local ttl_us = tonumber(ARGV[7]) * 1000
local max_repo, max_wf, max_job = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local cap, rate = tonumber(ARGV[11]), tonumber(ARGV[12])

local k_lease = P .. 'lease:' .. attempt
local k_repo = P .. 'repo:' .. repo
local k_wf = P .. 'wf:' .. repo .. S .. wf
local k_job = P .. 'job:' .. repo .. S .. wf .. S .. job
local k_run = P .. 'run:' .. repo .. S .. wf .. S .. run
local k_bucket = P .. 'bucket:' .. repo

-- Expired leases free their slots.
redis.call('ZREMRANGEBYSCORE', k_repo, '-inf', now)
redis.call('ZREMRANGEBYSCORE', k_job, '-inf', now)
redis.call('ZREMRANGEBYSCORE', k_run, '-inf', now)
redis.call('ZREMRANGEBYSCORE', k_wf, '-inf', now)

-- Idempotent by attempt id: a live lease is returned, never doubled.
local l = redis.call('HMGET', k_lease, 'repo', 'wf', 'job', 'run', 'exp')
if l[5] and tonumber(l[5]) > now then
  if l[1] ~= repo or l[2] ~= wf or l[3] ~= job or l[4] ~= run then
    return {'conflict', 'attempt', 0, 0, 0, tonumber(l[5]), now}
  end
  return {'existing', '', 0, 0, 0, tonumber(l[5]), now}
end

local function oldest(key)
  local r = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if r[2] then return tonumber(r[2]) end
  return 0
end

local n = redis.call('ZCARD', k_repo)
if n >= max_repo then
  return {'denied', 'repo', max_repo, n, oldest(k_repo), 0, now}
end
if max_wf > 0 and not redis.call('ZSCORE', k_wf, run) then
  n = redis.call('ZCARD', k_wf)
  if n >= max_wf then
    return {'denied', 'workflow', max_wf, n, oldest(k_wf), 0, now}
  end
end
if max_job > 0 then
  n = redis.call('ZCARD', k_job)
  if n >= max_job then
    return {'denied', 'job', max_job, n, oldest(k_job), 0, now}
  end
end

-- Token bucket, in units of 1/60,000,000 token: one microsecond of refill
-- at `rate` tokens per minute adds exactly `rate` units.
if cap > 0 then
  local U = 60000000
  local b = redis.call('HMGET', k_bucket, 'units', 'ts')
  local units, ts = tonumber(b[1]), tonumber(b[2])
  if not units then units, ts = cap * U, now end
  if now > ts then
    units = math.min(cap * U, units + (now - ts) * rate)
    ts = now
  end
  if units < U then
    redis.call('HSET', k_bucket, 'units', string.format('%.17g', units), 'ts', string.format('%.17g', ts))
    local wait = math.ceil((U - units) / rate)
    return {'denied', 'rate', cap, string.format('%.17g', units / U), now + wait, 0, now}
  end
  units = units - U
  redis.call('HSET', k_bucket, 'units', string.format('%.17g', units), 'ts', string.format('%.17g', ts))
  -- An idle bucket is full again after cap/rate minutes; keep it a while longer.
  redis.call('PEXPIRE', k_bucket, math.ceil(cap / rate * 60000) + 60000)
end

local exp = now + ttl_us
redis.call('HSET', k_lease, 'repo', repo, 'wf', wf, 'job', job, 'run', run, 'exp', string.format('%.17g', exp), 'ttl', string.format('%.17g', ttl_us))
redis.call('PEXPIRE', k_lease, math.ceil(ttl_us / 1000) + 1000)
redis.call('ZADD', k_repo, exp, attempt)
redis.call('ZADD', k_job, exp, attempt)
redis.call('ZADD', k_run, exp, attempt)
redis.call('ZADD', k_wf, 'GT', exp, run)
for _, k in ipairs({k_repo, k_job, k_run, k_wf}) do
  redis.call('PEXPIRE', k, math.ceil(ttl_us / 1000) + 1000)
end
return {'admitted', '', 0, 0, 0, exp, now}

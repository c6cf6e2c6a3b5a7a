-- wrk script of bench/rolling-restart.sh. With DELAY_MS > 0, a bounded, paced load: each
-- connection waits DELAY_MS between its requests (the rate stays near connections * 1000 /
-- DELAY_MS whatever happens to the gateways), GET /demo/items/{n}. With SLOW_MS set, every request
-- is GET /demo/slow?delayMs=SLOW_MS instead: long enough to be in flight whenever a gateway is
-- signalled. Every response that is not 200 counts as failed, as do wrk's socket errors (connect,
-- read, write, timeout). done() prints one line (NAME: the LABEL variable):
--   NAME requests=N failed=N non200=N connect=N read=N write=N timeout=N p50_ms=X p99_ms=X max_ms=X
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  pace = tonumber(os.getenv("DELAY_MS") or "0")
  slow = os.getenv("SLOW_MS")
  non200 = 0
end

function delay()
  return pace
end

function request()
  if slow then
    return wrk.format("GET", "/demo/slow?delayMs=" .. slow)
  end
  return wrk.format("GET", "/demo/items/" .. math.random(0, 999))
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non200")
  end
  local e = summary.errors
  local failed = bad + e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    (os.getenv("LABEL") or "rolling-result") .. " requests=%d failed=%d non200=%d connect=%d read=%d write=%d timeout=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    summary.requests, failed, bad, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end

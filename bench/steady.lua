-- wrk script: the request mix of docker/k6/steady.js (docker/k6/lib/portico.js), so the two tools
-- load the gateway the same way: 80% GET /demo/items/{n}, 10% POST /demo/orders (small JSON body),
-- 10% GET /pinned/status. Used by bench/steady.sh; by hand:
--   wrk -t1 -c32 -d60s --latency -s bench/steady.lua http://127.0.0.1:8080
-- wrk is closed-loop (each connection sends its next request when the last one is answered), so
-- it measures the throughput ceiling at a fixed concurrency; k6's steady.js holds a fixed rate.
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  post_headers = { ["Content-Type"] = "application/json" }
  post_body = '{"sku":"wrk","qty":1}'
end

function request()
  local roll = math.random()
  if roll < 0.8 then
    return wrk.format("GET", "/demo/items/" .. math.random(0, 999))
  elseif roll < 0.9 then
    return wrk.format("POST", "/demo/orders", post_headers, post_body)
  else
    return wrk.format("GET", "/pinned/status")
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status
  io.write(string.format("steady-result requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, errors, summary.errors.status))
end

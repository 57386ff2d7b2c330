-- wrk script for bench/intake.py: every request is a new report with its own idempotency key.
-- Env: GZ_TOKEN (bearer), GZ_RUN (a key prefix per run), GZ_POINTS ("lon,lat;lon,lat;...").
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  points = {}
  for lon, lat in string.gmatch(os.getenv("GZ_POINTS"), "([%d%.]+),([%d%.]+)") do
    table.insert(points, {lon, lat})
  end
  math.randomseed(tid * 7919)
  run = os.getenv("GZ_RUN")
  headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("GZ_TOKEN")}
  created, other = 0, 0
end

function request()
  n = n + 1
  local p = points[math.random(#points)]
  local body = string.format('{"kind":"complaint","category":"urban-appearance","lon":%s,"lat":%s,' ..
    '"description":"小区门口垃圾堆积多日无人清运","client_key":"%s-%d-%d"}', p[1], p[2], run, tid, n)
  return wrk.format("POST", "/api/events", headers, body)
end

function response(status, hdrs, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  io.write(string.format("GZ_RESULT created=%d other=%d p50=%.3f p95=%.3f p99=%.3f errors=%d\n", c, o,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

-- bench/wrk_post.lua — wrk script for bench/run.py: POST one fixed JSON body (closed loop) and
-- print a machine-readable summary.
--   BODY_FILE   path of the request body (required)
--   HEADERS     extra headers, "name: value" separated by "|" (optional)
-- wrk builds the request once (no request() hook), so the script costs nothing per request.
-- done() prints one line: "WRKJSON {...}" with requests, duration, error counts and latency
-- percentiles in microseconds (wrk's histogram has 1 us resolution).

local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local extra = os.getenv("HEADERS") or ""
for item in string.gmatch(extra, "[^|]+") do
  local k, v = string.match(item, "^%s*([^:]+):%s*(.-)%s*$")
  if k then wrk.headers[k] = v end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"err_connect":%d,"err_read":%d,' ..
    '"err_write":%d,"err_status":%d,"err_timeout":%d,"lat_mean":%.1f,"lat_p50":%d,' ..
    '"lat_p90":%d,"lat_p99":%d,"lat_p999":%d,"lat_max":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end

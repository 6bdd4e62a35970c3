-- wrk script: POST wearable readings, one per request or a batch (`-- N` after the URL).
-- Prints one JSON line of results at the end for bench/_wrk.py.

local reading = '{"bvp":0.85,"temperature":36.5,"acceleration":{"x":0.02,"y":-0.01,"z":0.98}}'
local request_text

function init(args)
  local batch = tonumber(args[1] or "1")
  local body = reading
  if batch > 1 then
    local many = {}
    for i = 1, batch do many[i] = reading end
    body = '{"readings":[' .. table.concat(many, ",") .. ']}'
  end
  request_text = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function request()
  return request_text
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end

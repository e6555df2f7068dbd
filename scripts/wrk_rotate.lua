-- wrk script shared by scripts/load_test.sh and scripts/load_stall.py: rotates over the request paths in the file
-- $PATHS_FILE (one a line) with the session cookie in $COOKIE, and prints one RESULT line (timeouts apart from the
-- connect/read/write errors; non2xx counts answers that are not 2xx/3xx).
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do if #line > 0 then paths[#paths + 1] = line end end
local cookie = os.getenv("COOKIE")
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], { ["Cookie"] = cookie })
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f timeouts=%d errors=%d non2xx=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.timeout, e.connect + e.read + e.write, e.status))
end

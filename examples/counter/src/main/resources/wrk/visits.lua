-- wrk script of ./cohort bench counter: GET /?user_name=uN, N uniform over USERS users;
-- prints one WRK line with the figures the bench reads.
local users = tonumber(os.getenv("USERS") or "10000")
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/?user_name=u" .. math.random(0, users - 1))
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests %d duration_us %d p50_us %d p99_us %d errors %d non2xx %d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end

-- wrk script of ./cohort bench counter: GET /?user_name=uN, N uniform over USERS users.
-- PORTS (optional, "4005,4006,4007"): thread i connects to the i-th port (round robin), so one
-- wrk spreads its connections over several nodes on 127.0.0.1.
-- Prints one WRK line with the figures the bench reads.
local users = tonumber(os.getenv("USERS") or "10000")
local ports = {}
for p in string.gmatch(os.getenv("PORTS") or "", "%d+") do table.insert(ports, p) end
local next_thread = 0

setup = function(thread)
  if #ports > 0 then
    thread.addr = wrk.lookup("127.0.0.1", ports[(next_thread % #ports) + 1])[1]
    next_thread = next_thread + 1
  end
end

request = function()
  return wrk.format("GET", "/?user_name=u" .. math.random(0, users - 1))
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests %d duration_us %d p50_us %d p99_us %d errors %d non2xx %d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end

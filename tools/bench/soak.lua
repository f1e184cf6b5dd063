-- wrk script for the soak (tools/bench/soak): a mix of what a directory
-- serves all day, drawn at random per request:
--   70% GET /v1/tns/{tn}/keys       a TN from the file named by TNS
--   10% GET /v1/tns/{tn}/cps        the same (the driver advertises a CPS
--                                   for every one, and again each minute)
--   10% GET /v1/buckets/{hex}       a random bucket of 16 bits
--    6% GET /v1/changes?since=N&limit=100, N random below SINCE_MAX
--    3% GET /v1/meta
--    1% POST /v1/keys               the next registration of this thread's
--                                   file, REGS.1 or REGS.2, each sent once
--                                   (a file that runs out starts again, and
--                                   its repeats are answered 200)
-- DELAY_MS is each connection's pause between requests, which sets the
-- rate. done() prints one line of figures for the driver to read.
local tns = {}
local thread_count = 0
local regs_file, regs_name
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local since_max = tonumber(os.getenv("SINCE_MAX") or "1")

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  local file = assert(io.open(os.getenv("TNS"), "r"))
  for line in file:lines() do
    tns[#tns + 1] = line
  end
  file:close()
  regs_name = os.getenv("REGS") .. "." .. thread_number
  regs_file = assert(io.open(regs_name, "r"))
  math.randomseed(os.time() + thread_number * 7919 + math.floor(os.clock() * 1000000))
end

local function next_registration()
  local line = regs_file:read("*l")
  if line == nil then
    regs_file:close()
    regs_file = assert(io.open(regs_name, "r"))
    line = regs_file:read("*l")
  end
  return line
end

function request()
  local pick = math.random()
  if pick < 0.70 then
    return wrk.format("GET", "/v1/tns/" .. tns[math.random(#tns)] .. "/keys")
  elseif pick < 0.80 then
    return wrk.format("GET", "/v1/tns/" .. tns[math.random(#tns)] .. "/cps")
  elseif pick < 0.90 then
    return wrk.format("GET", string.format("/v1/buckets/%04x", math.random(0, 65535)))
  elseif pick < 0.96 then
    return wrk.format("GET", "/v1/changes?since=" .. math.random(0, since_max) .. "&limit=100")
  elseif pick < 0.99 then
    return wrk.format("GET", "/v1/meta")
  end
  return wrk.format("POST", "/v1/keys", {["Content-Type"] = "application/json"},
                    next_registration())
end

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("soak: requests %d seconds %.3f p50_ms %.2f p99_ms %.2f max_ms %.2f " ..
                         "errors %d connect %d read %d write %d status %d timeout %d\n",
                         summary.requests, summary.duration / 1e6,
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000,
                         latency.max / 1000,
                         e.connect + e.read + e.write + e.status + e.timeout,
                         e.connect, e.read, e.write, e.status, e.timeout))
end

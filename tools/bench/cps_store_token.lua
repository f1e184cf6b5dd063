-- wrk script: POST one entry (the file named by BODY, {"jwes": [..]}) to
-- /cps/{tn}/ppts for a number drawn at random from ten thousand million,
-- so that stores rarely meet in one number's slots, each store spending
-- the next storage token of the file named by TOKENS (one base64url line
-- each, from keydir-bench-tokens). Thread i of n takes tokens i, i + n,
-- i + 2n, ... so that no token is sent twice; past its last, a thread
-- repeats a spent one and is refused: size the file to the run.
--
-- Every request is written out in init(), before wrk starts its clock:
-- built per request with wrk.format, the Lua took two thirds of a core of
-- this 2-core machine from the CPS it measures (docs/benchmarks.md).
local requests = {}
local sent = 0
local threads_made = 0

function setup(thread)
  thread:set("first", threads_made + 1)
  threads_made = threads_made + 1
end

function init(args)
  local file = assert(io.open(os.getenv("BODY"), "r"))
  local body = file:read("*a")
  file:close()
  local first = tonumber(wrk.thread:get("first"))
  local step = tonumber(os.getenv("THREADS") or "2")
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + first)
  local head = "Host: " .. wrk.host .. ":" .. wrk.port .. "\r\n" ..
    "Content-Type: application/json\r\nContent-Length: " .. #body .. "\r\n"
  local line_number = 0
  for token in io.lines(os.getenv("TOKENS")) do
    if line_number % step == first - 1 then
      local tn = string.format("1%05d%05d", math.random(0, 99999), math.random(0, 99999))
      requests[#requests + 1] = "POST /cps/" .. tn .. "/ppts HTTP/1.1\r\n" .. head ..
        'Authorization: PrivateToken token="' .. token .. '"\r\n\r\n' .. body
    end
    line_number = line_number + 1
  end
end

function request()
  sent = sent + 1
  return requests[sent] or requests[#requests]
end

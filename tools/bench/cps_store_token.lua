-- wrk script: as cps_store.lua, each store spending the next storage token
-- of the file named by TOKENS (one base64url line each, from
-- keydir-bench-tokens); thread i of n takes tokens i, i + n, i + 2n, ...
-- so that no token is sent twice. Past the last, stores repeat a spent one
-- and are refused: size the file to the run.
local body
local tokens = {}
local next_token
local step
local threads_made = 0

function setup(thread)
  thread:set("first", threads_made + 1)
  threads_made = threads_made + 1
end

function init(args)
  local file = assert(io.open(os.getenv("BODY"), "r"))
  body = file:read("*a")
  file:close()
  for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
  next_token = tonumber(wrk.thread:get("first"))
  step = tonumber(os.getenv("THREADS") or "2")
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + next_token)
end

function request()
  local tn = string.format("1%05d%05d", math.random(0, 99999), math.random(0, 99999))
  local token = tokens[next_token] or tokens[#tokens]
  next_token = next_token + step
  return wrk.format("POST", "/cps/" .. tn .. "/ppts", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = 'PrivateToken token="' .. token .. '"'
  }, body)
end

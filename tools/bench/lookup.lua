-- wrk script: GET /v1/tns/{tn}/keys for a TN drawn at random from the file
-- named by the TNS environment variable (one TN per line).
local tns = {}

function init(args)
  local file = assert(io.open(os.getenv("TNS"), "r"))
  for line in file:lines() do
    tns[#tns + 1] = line
  end
  file:close()
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local tn = tns[math.random(#tns)]
  return wrk.format("GET", "/v1/tns/" .. tn .. "/keys")
end

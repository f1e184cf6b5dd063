-- wrk script: POST one entry (the file named by BODY, {"jwes": [..]}) to
-- /cps/{tn}/ppts for a number drawn at random from ten thousand million,
-- so that stores rarely meet in one number's slots.
local body

function init(args)
  local file = assert(io.open(os.getenv("BODY"), "r"))
  body = file:read("*a")
  file:close()
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local tn = string.format("1%05d%05d", math.random(0, 99999), math.random(0, 99999))
  return wrk.format("POST", "/cps/" .. tn .. "/ppts", { ["Content-Type"] = "application/json" }, body)
end

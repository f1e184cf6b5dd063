-- wrk script: GET /v1/changes?since=S&limit=LIMIT for S drawn at random
-- from 0 to LAST - LIMIT (LAST and LIMIT from the environment), so that
-- every page is a full one.
local last = tonumber(os.getenv("LAST"))
local limit = tonumber(os.getenv("LIMIT") or "1000")

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local since = math.random(0, math.max(0, last - limit))
  return wrk.format("GET", "/v1/changes?since=" .. since .. "&limit=" .. limit)
end

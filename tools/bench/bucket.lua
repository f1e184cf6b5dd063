-- wrk script: GET /v1/buckets/{hex} for a bucket drawn at random among all
-- 16^DIGITS buckets (DIGITS from the environment, 4 for bucket_bits 16).
local digits = tonumber(os.getenv("DIGITS") or "4")

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local bucket = string.format("%0" .. digits .. "x", math.random(0, 16 ^ digits - 1))
  return wrk.format("GET", "/v1/buckets/" .. bucket)
end

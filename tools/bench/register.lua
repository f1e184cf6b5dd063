-- wrk script: POST /v1/keys with the next registration body of the file
-- named by the REGS environment variable (one {"dc","x5c"} per line), each
-- thread taking every Nth line from its own start so no two post the same.
local bodies = {}
local next_line, step = 1, 1

function setup(thread)
  thread:set("first", #setup_threads + 1)
  setup_threads[#setup_threads + 1] = thread
end
setup_threads = {}

function init(args)
  local file = assert(io.open(os.getenv("REGS"), "r"))
  for line in file:lines() do
    bodies[#bodies + 1] = line
  end
  file:close()
  next_line = first or 1
  step = tonumber(os.getenv("REGS_THREADS") or "2")
end

function request()
  local body = bodies[next_line]
  next_line = next_line + step
  if next_line > #bodies then next_line = 1 end
  return wrk.format("POST", "/v1/keys", {["Content-Type"] = "application/json"}, body)
end

-- wrk script for bench/practice.sh: PUT one answer per request, rotating over the answers the
-- driver wrote (one line per save: attempt id, token, item id, JSON body; tab-separated).
local saves = {}
local index = 0
-- PRACTICE_DELAY_MS: a pause before each request on each connection, so that the run offers a
-- fixed rate (connections / delay) instead of as many saves as the server can take.
local pause = tonumber(os.getenv("PRACTICE_DELAY_MS") or "")

function init(args)
  local path = os.getenv("PRACTICE_SAVES")
  for line in io.lines(path) do
    local attempt, token, item, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
    if attempt then
      saves[#saves + 1] = {
        path = "/api/v1/attempts/" .. attempt .. "/responses/" .. item,
        headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
        body = body,
      }
    end
  end
  -- Threads start at different places in the list.
  index = math.random(#saves)
end

function request()
  index = index % #saves + 1
  local save = saves[index]
  return wrk.format("PUT", save.path, save.headers, save.body)
end

if pause then
  function delay()
    return pause
  end
end

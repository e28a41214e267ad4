-- wrk script for bench/run.sh: cycles through the benchmark's URLs (the file named by
-- WRK_URLS, one absolute URL a line, as examples/bench_audit.rs writes it), so wrk requests
-- the same pages linkgate and lychee check. Each wrk thread starts at its own offset.
local paths = {}
local counter = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end

function init(args)
  local file = os.getenv("WRK_URLS")
  for line in io.lines(file) do
    local path = line:match("^https?://[^/]+(/.*)$")
    if path then
      paths[#paths + 1] = path
    end
  end
  counter = tonumber(offset) or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

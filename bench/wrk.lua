-- The load for bench/run.py: one script for every endpoint, reads and signed-in writes.
--
--   wrk -t2 -c16 -d10s --latency -s bench/wrk.lua http://127.0.0.1:PORT -- MODE PATHS FANS THREADS CACHE
--
-- MODE   get: request the paths in PATHS in turn (one path a line)
--        rate | comment | list: POST as a signed-in fan to a video from PATHS (one slug a line;
--        the first is the hot video, which gets half the writes)
-- FANS   for writes (and signed-in reads): a file of "sessionid csrftoken address" lines, made
--        by run.py logging each bench fan in, or "-". Requests take the fans in turn.
-- THREADS the -t given to wrk, so the threads take turns rather than the same fans.
-- CACHE  off: reads ask (X-Bench-Page-Cache: off) for pages as rendered, skipping the page cache
--        visitors get; render: skipping every cache of pages and fragments (made from scratch);
--        cached (or nothing): as visitors get them.
--
-- Every request carries X-Bench-Client, an address bench/wsgi.py turns into REMOTE_ADDR, as a
-- trusted proxy would: otherwise all of wrk would be one client, and the per-address write limits
-- and API throttles would measure the limiter rather than the site. Anonymous requests rotate
-- through 4096 addresses; a fan always uses their own.
--
-- At the end it prints one line, "BENCH_RESULT {json}", that run.py reads.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function read_lines(name)
  local lines = {}
  if name == nil or name == "" or name == "-" then
    return lines
  end
  local file = assert(io.open(name, "r"))
  for line in file:lines() do
    if line ~= "" then
      table.insert(lines, line)
    end
  end
  file:close()
  return lines
end

local function split(line)
  local parts = {}
  for part in line:gmatch("%S+") do
    table.insert(parts, part)
  end
  return parts
end

local function urlencode(text)
  return (text:gsub("[^%w%-_%.~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local WORDS = {"love", "this", "part", "the", "choreo", "is", "unreal", "vocals", "bridge",
  "chorus", "camera", "work", "so", "good", "again", "best", "era", "proud", "of", "them"}

function init(args)
  mode = args[1] or "get"
  paths = read_lines(args[2])
  fans = {}
  for _, line in ipairs(read_lines(args[3])) do
    table.insert(fans, split(line))
  end
  -- wrk's threads each have their own Lua state: the count comes from run.py.
  thread_count = tonumber(args[4] or "1")
  skip_cache = (args[5] == "off" or args[5] == "render") and args[5] or nil
  statuses = {}
  math.randomseed(os.time() * 1000 + id)
  if #paths == 0 then
    error("bench/wrk.lua: no paths in " .. tostring(args[2]))
  end
  if mode ~= "get" and #fans == 0 then
    error("bench/wrk.lua: writes need a FANS file")
  end
end

local function anonymous_address()
  local n = (counter * thread_count + id) % 4096
  return string.format("10.%d.%d.%d", 100 + id, math.floor(n / 256), n % 256)
end

local function next_fan()
  -- Threads take alternate fans, so no two threads write as one fan at the same time.
  local n = (counter * thread_count + id) % #fans
  return fans[n + 1]
end

local function fan_headers(fan)
  return {
    ["Cookie"] = "sessionid=" .. fan[1] .. "; csrftoken=" .. fan[2],
    ["X-Bench-Client"] = fan[3],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
end

local function target_video()
  if math.random() < 0.5 then
    return paths[1]
  end
  return paths[math.random(#paths)]
end

function request()
  counter = counter + 1
  if mode == "get" then
    local path = paths[(counter + id) % #paths + 1]
    local headers = {["X-Bench-Client"] = anonymous_address()}
    if skip_cache then
      headers["X-Bench-Page-Cache"] = skip_cache
    end
    if #fans > 0 then
      local fan = next_fan()
      headers["Cookie"] = "sessionid=" .. fan[1] .. "; csrftoken=" .. fan[2]
      headers["X-Bench-Client"] = fan[3]
    end
    return wrk.format("GET", path, headers)
  end
  local fan = next_fan()
  local token = "csrfmiddlewaretoken=" .. fan[2]
  local slug = target_video()
  if mode == "rate" then
    local body = token .. "&score=" .. math.random(1, 10)
    return wrk.format("POST", "/videos/" .. slug .. "/rating/", fan_headers(fan), body)
  elseif mode == "comment" then
    local words = {}
    for i = 1, math.random(5, 25) do
      words[i] = WORDS[math.random(#WORDS)]
    end
    local body = token .. "&body=" .. urlencode(table.concat(words, " "))
    return wrk.format("POST", "/videos/" .. slug .. "/comments/", fan_headers(fan), body)
  elseif mode == "list" then
    return wrk.format("POST", "/videos/" .. slug .. "/add-to-list/", fan_headers(fan), token)
  end
  error("bench/wrk.lua: unknown mode " .. mode)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}, ' ..
    '"statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, table.concat(parts, ", ")))
end

-- wrk script for POST /v1/search: every request carries the next question of questions.txt, so no
-- two requests in a run (up to the file's length) ask the same thing and no cache can help.
-- Usage: wrk -t THREADS -s questions.lua URL -- QUESTIONS_FILE START THREADS ROUND [K]
-- Thread t of THREADS starts at line START + t and steps by THREADS (each thread runs in its own Lua
-- state, which knows only what setup() gave it, so the thread count comes as an argument and must
-- equal wrk's -t). A server that sheds load answers fast and wrk goes through the file many times;
-- so that no question repeats within a run or across the runs of one invocation, a question sent in
-- ROUND r > 0, or on the c-th pass through the file, ends with " (ticket <r * 1000 + c>)".
-- At the end: requests sent and the non-200 responses by status.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

local function json_string(s)
  s = s:gsub('\\', '\\\\'):gsub('"', '\\"')
  s = s:gsub('[%c]', function(c) return string.format('\\u%04x', c:byte()) end)
  return '"' .. s .. '"'
end

function init(args)
  local path = args[1] or "questions.txt"
  local start = tonumber(args[2] or "0")
  step = tonumber(args[3] or "1")
  round = tonumber(args[4] or "0")
  k = tonumber(args[5] or "5")
  lines = {}
  for line in io.lines(path) do
    if #line > 0 then table.insert(lines, line) end
  end
  if #lines == 0 then error("questions.lua: no questions in " .. path) end
  position = start + id
  sent = 0
  failed = 0
  statuses = {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local question = lines[(position % #lines) + 1]
  local pass = math.floor(position / #lines)
  if round > 0 or pass > 0 then
    question = question .. " (ticket " .. (round * 1000 + pass) .. ")"
  end
  local body = '{"query": ' .. json_string(question) .. ', "k": ' .. k .. '}'
  position = position + step
  sent = sent + 1
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total_failed, total_sent, codes = 0, 0, {}
  for _, thread in ipairs(threads) do
    total_failed = total_failed + thread:get("failed")
    total_sent = total_sent + thread:get("sent")
    local s = thread:get("statuses")
    for code, n in pairs(s) do codes[code] = (codes[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(codes) do table.insert(parts, code .. "=" .. n) end
  io.write(string.format("questions.lua: sent=%d non200=%d statuses=%s\n", total_sent, total_failed, table.concat(parts, ",")))
end

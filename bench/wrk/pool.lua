-- wrk script for bench/bench_survey_http.py: every request takes the next entry of a pool.
--
-- Environment (wrk passes no script arguments to the main state, so everything is env):
--   BENCH_POOL     pool file, one entry per line, tab-separated:
--                  key <TAB> path <TAB> cookie <TAB> body <TAB> revision   ("-" = none)
--   BENCH_MODE     "get" or "post"
--   BENCH_THREADS  wrk's -t value; thread i owns the entries with (line - 1) % threads == i,
--                  so no two threads ever use the same entry
--   BENCH_OUT      JSON file written by done() with counts and latency percentiles
--
-- POST with a revision: each use of an entry sends its current revision and then counts it
-- up, since a saved page increments the response's revision. Entries are used round-robin;
-- a thread has at most as many requests in flight as it has connections, so as long as each
-- thread owns more entries than connections, an entry's previous request has completed
-- before it is used again. The token in a 303's Location header credits the save to its
-- entry, which is what the database check afterwards compares against.

local mode = os.getenv("BENCH_MODE") or "get"
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("tid", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local pool = {}
local cursor = 0
statuses = {}   -- status code -> count (global so done() can read it)
saved = {}      -- key -> number of 303 responses naming that key
issued = {}     -- key -> number of requests sent for that key
sent = 0
received = 0

function init(args)
   local f = assert(io.open(os.getenv("BENCH_POOL"), "r"))
   local n = 0
   for line in f:lines() do
      if n % nthreads == tid then
         local key, path, cookie, body, rev =
            line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
         assert(key, "bad pool line: " .. line)
         local headers = {}
         if cookie ~= "-" then headers["Cookie"] = cookie end
         if mode == "post" then
            headers["Content-Type"] = "application/x-www-form-urlencoded"
         end
         local entry = {key = key, path = path, headers = headers,
                        body = (body ~= "-") and body or nil,
                        rev = (rev ~= "-") and tonumber(rev) or nil}
         if mode == "get" then
            entry.request = wrk.format("GET", path, headers, nil)  -- never changes: build once
         end
         table.insert(pool, entry)
      end
      n = n + 1
   end
   f:close()
   assert(#pool > 0, "thread " .. tid .. " got no pool entries")
end

-- wrk calls request() once on thread 0 before the run only to check the request it returns
-- (script_verify_request); that request is never sent, so it must not use up an entry or
-- count its revision up (it did: one stale revision, hence one 409, per run that wrapped the pool).
local verifying = true

function request()
   if verifying and tid == 0 then
      verifying = false
      local e = pool[1]
      if e.request then return e.request end
      local body = e.body
      if e.rev then body = body .. "&revision=" .. e.rev end
      return wrk.format("POST", e.path, e.headers, body)
   end
   verifying = false
   cursor = cursor % #pool + 1
   local e = pool[cursor]
   sent = sent + 1
   if e.request then return e.request end
   issued[e.key] = (issued[e.key] or 0) + 1
   local body = e.body
   if e.rev then
      body = body .. "&revision=" .. e.rev
      e.rev = e.rev + 1
   end
   return wrk.format("POST", e.path, e.headers, body)
end

function response(status, headers, body)
   received = received + 1
   statuses[status] = (statuses[status] or 0) + 1
   if status == 303 and mode == "post" then
      local location = headers["Location"] or headers["location"] or ""
      local key = location:match("/s/([^/?]+)/") or "-"
      saved[key] = (saved[key] or 0) + 1
   end
end

local function json_table(t)
   local parts = {}
   for k, v in pairs(t) do
      table.insert(parts, string.format('"%s": %d', tostring(k), v))
   end
   return "{" .. table.concat(parts, ", ") .. "}"
end

local function add_into(total, t)
   for k, v in pairs(t or {}) do total[k] = (total[k] or 0) + v end
end

function done(summary, latency, requests)
   local all_statuses, all_saved, all_issued = {}, {}, {}
   local all_sent, all_received = 0, 0
   for _, thread in ipairs(threads) do
      add_into(all_statuses, thread:get("statuses"))
      add_into(all_saved, thread:get("saved"))
      add_into(all_issued, thread:get("issued"))
      all_sent = all_sent + (thread:get("sent") or 0)
      all_received = all_received + (thread:get("received") or 0)
   end
   local e = summary.errors
   local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
   out:write("{\n")
   out:write(string.format('"duration_us": %d, "requests": %d, "bytes": %d,\n',
                           summary.duration, summary.requests, summary.bytes))
   out:write(string.format('"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d},\n',
                           e.connect, e.read, e.write, e.status, e.timeout))
   out:write(string.format('"latency_us": {"min": %d, "mean": %.1f, "stdev": %.1f, "max": %d, ' ..
                           '"p50": %d, "p75": %d, "p90": %d, "p99": %d, "p999": %d},\n',
                           latency.min, latency.mean, latency.stdev, latency.max,
                           latency:percentile(50), latency:percentile(75), latency:percentile(90),
                           latency:percentile(99), latency:percentile(99.9)))
   out:write(string.format('"sent": %d, "received": %d,\n', all_sent, all_received))
   out:write('"statuses": ' .. json_table(all_statuses) .. ",\n")
   out:write('"saved": ' .. json_table(all_saved) .. ",\n")
   out:write('"issued": ' .. json_table(all_issued) .. "\n")
   out:write("}\n")
   out:close()
end

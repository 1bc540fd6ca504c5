-- wrk script for bench/webhook.py: sends pre-generated, signed Twilio webhook requests.
--
--   wrk -t2 -c16 -d15s -s bench/wrk_requests.lua http://127.0.0.1:PORT/twilio/messages \
--       -- POOL_FILE NTHREADS HOST_HEADER
--
-- POOL_FILE has one request a line: "<X-Twilio-Signature>\t<urlencoded form body>".
-- Thread i (0-based) of NTHREADS takes lines i, i+N, i+2N, ... and its connections take them in
-- turn, so no request (no MessageSid) is sent twice unless a thread runs through all of its
-- share; then it starts again and counts the repeats, which done() reports.
-- done() prints parseable lines starting with "WRK " (latencies in microseconds).

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   local pool_file, nthreads, host = args[1], tonumber(args[2]), args[3]
   local path = wrk.path
   reqs = {}
   sent = 0
   repeats = 0
   statuses = {}
   local n = 0
   for line in io.lines(pool_file) do
      if n % nthreads == id then
         local tab = string.find(line, "\t", 1, true)
         local headers = {
            ["Host"] = host,
            ["Content-Type"] = "application/x-www-form-urlencoded",
            ["X-Twilio-Signature"] = string.sub(line, 1, tab - 1),
            ["User-Agent"] = "TwilioProxy/1.1",
            ["Accept"] = "*/*",
         }
         reqs[#reqs + 1] = wrk.format("POST", path, headers, string.sub(line, tab + 1))
      end
      n = n + 1
   end
   pool = #reqs
   idx = 1
end

function request()
   if idx > pool then
      idx = 1
   end
   if sent >= pool then
      repeats = repeats + 1
   end
   sent = sent + 1
   local r = reqs[idx]
   idx = idx + 1
   return r
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "WRK summary requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout))
   io.write(string.format(
      "WRK latency p50=%d p90=%d p99=%d p999=%d max=%d mean=%d\n",
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max, latency.mean))
   local pool_total, sent_total, repeats_total = 0, 0, 0
   local by_status = {}
   for _, thread in ipairs(threads) do
      pool_total = pool_total + thread:get("pool")
      sent_total = sent_total + thread:get("sent")
      repeats_total = repeats_total + thread:get("repeats")
      for code, count in pairs(thread:get("statuses")) do
         by_status[code] = (by_status[code] or 0) + count
      end
   end
   io.write(string.format("WRK pool pool=%d sent=%d repeats=%d\n",
      pool_total, sent_total, repeats_total))
   local parts = {}
   for code, count in pairs(by_status) do
      parts[#parts + 1] = string.format("%d=%d", code, count)
   end
   table.sort(parts)
   io.write("WRK statuses " .. table.concat(parts, " ") .. "\n")
end

-- Bad calls a hostile or broken client sends: malformed JSON, unknown names, no key,
-- wrong credentials, unknown paths. Every one must get a 4xx.
local calls = {
  { "POST", "/v1/traffic/cut", "{ not json", true },
  { "POST", "/v1/traffic/cut", '{"product_group":"Nope","data_center":"Mars","drain_seconds":0}', true },
  { "POST", "/v1/clusters/switchover", '{"cluster":"trading-db","to":"Beijing-C"}', false },
  { "GET", "/v1/applications?product_group=Trading", nil, true },
  { "GET", "/v1/nowhere", nil, true },
  { "GET", "/sim/state", nil, "wrong" },
}
local n = 0
request = function()
  n = n + 1
  local c = calls[(n % #calls) + 1]
  local headers = { ["Content-Type"] = "application/json" }
  if c[4] == "wrong" then
    headers["Authorization"] = "Basic c3dpdGNoeWFyZDp3cm9uZw=="
  else
    headers["Authorization"] = "Basic c3dpdGNoeWFyZDpsb2FkLXRlc3Q="
  end
  if c[4] == true then headers["Idempotency-Key"] = "garbage-" .. n end
  return wrk.format(c[1], c[2], headers, c[3])
end

local non4xx = 0
response = function(status)
  if status < 400 or status >= 500 then non4xx = non4xx + 1 end
end
done = function()
  io.write(string.format("answers outside 4xx: %d\n", non4xx))
end

-- Traffic cuts and restores of the demo's Trading group in Beijing-C, alternating, each
-- with a key of its own: every call is a new operation that changes the world.
local n = 0
request = function()
  n = n + 1
  local key = string.format("load-%d-%d", math.random(1, 1e9), n)
  local path, body
  if n % 2 == 1 then
    path = "/v1/traffic/cut"
    body = '{"product_group":"Trading","data_center":"Beijing-C","drain_seconds":0}'
  else
    path = "/v1/traffic/restore"
    body = '{"product_group":"Trading","data_center":"Beijing-C","weight_percent":33}'
  end
  return wrk.format("POST", path, {
    ["Authorization"] = "Basic c3dpdGNoeWFyZDpsb2FkLXRlc3Q=",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key,
  }, body)
end

-- Wrong sign-ins, each for a different name, so no account throttle stops them: every
-- one asks for a password check.
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"username":"flood-%d-%d","password":"guess"}', math.random(1e9), n)
  return wrk.format("POST", "/api/auth/sign_in", { ["Content-Type"] = "application/json" }, body)
end

-- Signed-in page loads over kept-alive connections: the paths in $PAGES (space
-- separated), in turn, with the session cookie in $COOKIE.
local paths = {}
for path in string.gmatch(os.getenv("PAGES"), "%S+") do
  table.insert(paths, path)
end
local n = 0
request = function()
  n = n % #paths + 1
  return wrk.format("GET", paths[n], { ["Cookie"] = os.getenv("COOKIE") })
end

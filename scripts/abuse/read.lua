-- A signed-in read: the plan list, with the session cookie in $COOKIE.
wrk.method = "POST"
wrk.path = "/api/plans/list"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("COOKIE")

-- Direct-to-mock load: POST the scenario's request body to the URL as given (the provider path on
-- the mock), to measure the mock and the load generator alone.
scenario = { headers = { ["Authorization"] = "Bearer bench-key" } }
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

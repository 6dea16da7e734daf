-- OpenAI Chat client -> OpenAI provider (passthrough), model oai-json, JSON answer
scenario = {
  path = "/v1/chat/completions",
  headers = { ["Authorization"] = "Bearer ${KEY}" },
}
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

-- OpenAI Chat client -> Anthropic provider (converted), model ant-sse, streamed
scenario = {
  path = "/v1/chat/completions",
  headers = { ["Authorization"] = "Bearer ${KEY}" },
}
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

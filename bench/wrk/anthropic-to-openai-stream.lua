-- Anthropic client -> OpenAI provider (converted), model oai-sse, streamed
scenario = {
  path = "/v1/messages",
  headers = { ["x-api-key"] = "${KEY}", ["anthropic-version"] = "2023-06-01" },
}
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

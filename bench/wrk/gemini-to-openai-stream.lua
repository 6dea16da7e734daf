-- Gemini client -> OpenAI provider (converted), streamed
scenario = {
  path = "/v1beta/models/oai-sse:streamGenerateContent?alt=sse",
  headers = { ["x-goog-api-key"] = "${KEY}" },
}
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

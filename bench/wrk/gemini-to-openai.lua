-- Gemini client -> OpenAI provider (converted), JSON answer
scenario = {
  path = "/v1beta/models/oai-json:generateContent",
  headers = { ["x-goog-api-key"] = "${KEY}" },
}
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.util.Map;
import java.util.Optional;

/**
 * One provider type as the fake upstream plays it for the cross-dialect SDK tests: the gateway model
 * routed to it, the path and key it must be called with, and its answers in its own wire format
 * (taken from the golden files). Every plain-text answer reports cached prompt tokens, so each client
 * dialect's usage semantics are checked.
 */
enum Upstream {
    OPENAI("gpt-test", "/v1/chat/completions") {
        @Override
        String textAnswer() {
            return """
                    {"id": "chatcmpl-123", "object": "chat.completion", "created": 1741569952, "model": "gpt-4.1-2025-04-14",
                     "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null,
                       "message": {"role": "assistant", "content": "Hello!", "refusal": null, "annotations": []}}],
                     "usage": {"prompt_tokens": 350, "completion_tokens": 17, "total_tokens": 367,
                       "prompt_tokens_details": {"cached_tokens": 300, "audio_tokens": 0},
                       "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0}}}""";
        }

        @Override
        String toolCallAnswer() {
            return """
                    {"id": "chatcmpl-2", "object": "chat.completion", "created": 1741569960, "model": "gpt-4.1",
                     "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": null,
                       "message": {"role": "assistant", "content": null, "refusal": null,
                         "tool_calls": [{"id": "call_abc", "type": "function",
                           "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"}}]}}],
                     "usage": {"prompt_tokens": 350, "completion_tokens": 17, "total_tokens": 367,
                       "prompt_tokens_details": {"cached_tokens": 300}, "completion_tokens_details": {"reasoning_tokens": 0}}}""";
        }

        @Override
        String maxTokensAnswer() {
            return """
                    {"id": "chatcmpl-6", "object": "chat.completion", "created": 1741569999, "model": "gpt-4.1",
                     "choices": [{"index": 0, "finish_reason": "length",
                       "message": {"role": "assistant", "content": "Proof: by induc"}}],
                     "usage": {"prompt_tokens": 30, "completion_tokens": 100, "total_tokens": 130}}""";
        }

        @Override
        String error(int status, String message) {
            String type = switch (status) {
                case 400, 401 -> "invalid_request_error";
                case 429 -> "requests";
                default -> "server_error";
            };
            String code = switch (status) {
                case 401 -> "\"invalid_api_key\"";
                case 429 -> "\"rate_limit_exceeded\"";
                default -> "null";
            };
            return "{\"error\": {\"message\": \"" + message + "\", \"type\": \"" + type + "\", \"param\": null, \"code\": "
                    + code + "}}";
        }

        @Override
        void assertAuthenticated(Recorded r) {
            assertThat(r.headers().get("authorization")).isEqualTo("Bearer " + TestGateway.OPENAI_KEY);
        }

        @Override
        void assertToolResult(JsonNode request, String callId, String result) {
            JsonNode messages = request.get("messages");
            JsonNode assistant = messages.get(messages.size() - 2);
            assertThat(assistant.get("role").asText()).isEqualTo("assistant");
            JsonNode call = assistant.get("tool_calls").get(0);
            assertThat(call.get("id").asText()).isEqualTo(callId);
            assertThat(call.get("function").get("name").asText()).isEqualTo("get_weather");
            assertThat(readJson(call.get("function").get("arguments").asText()).get("city").asText()).isEqualTo("Paris");
            JsonNode tool = messages.get(messages.size() - 1);
            assertThat(tool.get("role").asText()).isEqualTo("tool");
            assertThat(tool.get("tool_call_id").asText()).isEqualTo(callId);
            assertThat(tool.get("content").toString()).contains(result);
        }
    },

    ANTHROPIC("claude-test", "/v1/messages") {
        @Override
        String textAnswer() {
            return """
                    {"id": "msg_01X", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                     "content": [{"type": "text", "text": "Hello!"}], "stop_reason": "end_turn", "stop_sequence": null,
                     "usage": {"input_tokens": 100, "output_tokens": 20, "cache_creation_input_tokens": 50,
                       "cache_read_input_tokens": 200}}""";
        }

        @Override
        String toolCallAnswer() {
            return """
                    {"id": "msg_02", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                     "content": [{"type": "text", "text": "Let me check."},
                       {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}}],
                     "stop_reason": "tool_use", "stop_sequence": null,
                     "usage": {"input_tokens": 100, "output_tokens": 20, "cache_creation_input_tokens": 50,
                       "cache_read_input_tokens": 200}}""";
        }

        @Override
        String maxTokensAnswer() {
            return """
                    {"id": "msg_05", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                     "content": [{"type": "text", "text": "Proof: by induc"}], "stop_reason": "max_tokens",
                     "stop_sequence": null, "usage": {"input_tokens": 30, "output_tokens": 100}}""";
        }

        @Override
        String error(int status, String message) {
            String type = switch (status) {
                case 400 -> "invalid_request_error";
                case 401 -> "authentication_error";
                case 429 -> "rate_limit_error";
                case 529 -> "overloaded_error";
                default -> "api_error";
            };
            return "{\"type\": \"error\", \"error\": {\"type\": \"" + type + "\", \"message\": \"" + message + "\"}}";
        }

        @Override
        void assertAuthenticated(Recorded r) {
            assertThat(r.headers().get("x-api-key")).isEqualTo(TestGateway.ANTHROPIC_KEY);
            assertThat(r.headers().get("anthropic-version")).isNotBlank();
        }

        @Override
        void assertToolResult(JsonNode request, String callId, String result) {
            JsonNode messages = request.get("messages");
            JsonNode assistant = messages.get(messages.size() - 2);
            assertThat(assistant.get("role").asText()).isEqualTo("assistant");
            JsonNode use = null;
            for (JsonNode b : assistant.get("content")) {
                if (b.get("type").asText().equals("tool_use")) {
                    use = b;
                }
            }
            assertThat(use).as("tool_use block in %s", assistant).isNotNull();
            assertThat(use.get("id").asText()).isEqualTo(callId);
            assertThat(use.get("name").asText()).isEqualTo("get_weather");
            assertThat(use.get("input").get("city").asText()).isEqualTo("Paris");
            JsonNode user = messages.get(messages.size() - 1);
            assertThat(user.get("role").asText()).isEqualTo("user");
            JsonNode toolResult = user.get("content").get(0);
            assertThat(toolResult.get("type").asText()).isEqualTo("tool_result");
            assertThat(toolResult.get("tool_use_id").asText()).isEqualTo(callId);
            assertThat(toolResult.get("content").toString()).contains(result);
        }
    },

    GEMINI("gemini-test", "/v1beta/models/gemini-upstream:generateContent") {
        @Override
        String textAnswer() {
            return """
                    {"candidates": [{"content": {"parts": [{"text": "Hello!"}], "role": "model"}, "finishReason": "STOP", "index": 0}],
                     "usageMetadata": {"promptTokenCount": 60, "candidatesTokenCount": 7, "thoughtsTokenCount": 41,
                       "cachedContentTokenCount": 20, "totalTokenCount": 108},
                     "modelVersion": "gemini-2.5-flash", "responseId": "abc123"}""";
        }

        @Override
        String toolCallAnswer() {
            return """
                    {"candidates": [{"content": {"role": "model", "parts": [{"functionCall": {"name": "get_weather",
                       "args": {"city": "Paris"}}, "thoughtSignature": "CiQBsig"}]}, "finishReason": "STOP", "index": 0}],
                     "usageMetadata": {"promptTokenCount": 60, "candidatesTokenCount": 7, "thoughtsTokenCount": 41,
                       "cachedContentTokenCount": 20, "totalTokenCount": 108},
                     "modelVersion": "gemini-2.5-flash", "responseId": "def"}""";
        }

        @Override
        String maxTokensAnswer() {
            return """
                    {"candidates": [{"content": {"role": "model", "parts": [{"text": "Proof: by induc"}]},
                       "finishReason": "MAX_TOKENS", "index": 0}],
                     "usageMetadata": {"promptTokenCount": 30, "candidatesTokenCount": 100, "totalTokenCount": 130},
                     "modelVersion": "gemini-2.5-flash", "responseId": "mno"}""";
        }

        @Override
        String error(int status, String message) {
            String rpc = switch (status) {
                case 400 -> "INVALID_ARGUMENT";
                case 401 -> "UNAUTHENTICATED";
                case 429 -> "RESOURCE_EXHAUSTED";
                case 503 -> "UNAVAILABLE";
                default -> "INTERNAL";
            };
            return "{\"error\": {\"code\": " + status + ", \"message\": \"" + message + "\", \"status\": \"" + rpc + "\"}}";
        }

        @Override
        void assertAuthenticated(Recorded r) {
            assertThat(r.headers().get("x-goog-api-key")).isEqualTo(TestGateway.GEMINI_KEY);
        }

        @Override
        void assertToolResult(JsonNode request, String callId, String result) {
            JsonNode contents = request.get("contents");
            JsonNode model = contents.get(contents.size() - 2);
            assertThat(model.get("role").asText()).isEqualTo("model");
            JsonNode call = model.get("parts").get(0);
            assertThat(call.get("functionCall").get("name").asText()).isEqualTo("get_weather");
            assertThat(call.get("functionCall").get("args").get("city").asText()).isEqualTo("Paris");
            // Gemini rejects a replayed call without a thought signature (its own, or the documented skip value)
            assertThat(call.path("thoughtSignature").asText()).isNotEmpty();
            JsonNode user = contents.get(contents.size() - 1);
            assertThat(user.get("role").asText()).isEqualTo("user");
            JsonNode response = user.get("parts").get(0).get("functionResponse");
            assertThat(response.get("name").asText()).isEqualTo("get_weather");
            assertThat(response.get("response").toString()).contains(result);
            // Gemini ties a response to its call by name, or by id when the call carried one
            assertThat(response.path("id").asText()).isEqualTo(call.get("functionCall").path("id").asText());
        }
    };

    static final ObjectMapper MAPPER = new ObjectMapper();

    final String model;
    final String path;

    Upstream(String model, String path) {
        this.model = model;
        this.path = path;
    }

    abstract String textAnswer();

    abstract String toolCallAnswer();

    abstract String maxTokensAnswer();

    /** An error body as this provider writes it. */
    abstract String error(int status, String message);

    abstract void assertAuthenticated(Recorded r);

    /** The second turn reached the provider with the result tied to the call, in its own dialect. */
    abstract void assertToolResult(JsonNode request, String callId, String result);

    /** Id, model, prompt tokens including cached ones, cached tokens, output tokens of {@link #textAnswer()}. */
    TextFacts text() {
        return switch (this) {
            case OPENAI -> new TextFacts("chatcmpl-123", "gpt-4.1-2025-04-14", 350, 300, 17);
            case ANTHROPIC -> new TextFacts("msg_01X", "claude-sonnet-4-5", 350, 200, 20);
            case GEMINI -> new TextFacts("abc123", "gemini-2.5-flash", 60, 20, 48);
        };
    }

    /** The call id the provider gave its tool call; Gemini gives none and the gateway makes one up. */
    Optional<String> toolCallId() {
        return switch (this) {
            case OPENAI -> Optional.of("call_abc");
            case ANTHROPIC -> Optional.of("toolu_01A");
            case GEMINI -> Optional.empty();
        };
    }

    record TextFacts(String id, String model, long promptTokens, long cachedTokens, long outputTokens) {
        long uncachedPromptTokens() {
            // Anthropic counts cache writes apart too; only the Anthropic upstream reports any
            return promptTokens - cachedTokens;
        }
    }

    /** Scripts {@code fake} to answer every request with {@code body}. */
    void answer(FakeUpstream fake, String body) {
        fake.answer(Reply.json(200, body, Map.of("x-request-id", "req_up_1")));
    }

    /** Takes the request the fake received and checks it was meant for this provider. */
    JsonNode take(FakeUpstream fake) {
        Recorded r = fake.take();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo(path);
        assertAuthenticated(r);
        JsonNode body = readJson(r.bodyText());
        switch (this) {
            case OPENAI -> assertThat(body.get("model").asText()).isEqualTo("gpt-upstream");
            case ANTHROPIC -> {
                assertThat(body.get("model").asText()).isEqualTo("claude-upstream");
                assertThat(body.has("max_tokens")).as("Anthropic requires max_tokens").isTrue();
            }
            case GEMINI -> assertThat(body.has("model")).as("Gemini names the model in the path").isFalse();
        }
        return body;
    }

    static JsonNode readJson(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}

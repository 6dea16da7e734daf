package dev.rosetta.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.dialect.Dialect;
import java.util.Base64;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * A provider's answer that thinks and calls {@code get_weather} for Paris, carrying the opaque state its
 * next request needs (Anthropic's thinking signature, Gemini's thought signature, the Responses API's
 * encrypted reasoning), as one JSON body or as that provider's SSE stream; and its plain answer to the
 * follow-up. Signatures are as long as real ones.
 */
public final class ThinkingToolAnswers {
    public static final String THINKING = "The user wants the weather in Paris: call get_weather.";
    public static final String CLAUDE_SIGNATURE = base64(700, 1);
    public static final String GEMINI_SIGNATURE = base64(1200, 2);
    /** OpenAI's encrypted content is a Fernet token: URL-safe base64. */
    public static final String OPENAI_ENCRYPTED = base64(900, 3).replace('+', '-').replace('/', '_');
    public static final String FOLLOW_UP_TEXT = "It is 18 degrees in Paris.";

    private ThinkingToolAnswers() {
    }

    public static String json(Dialect provider) {
        return switch (provider) {
            case ANTHROPIC -> """
                    {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                     "content": [{"type": "thinking", "thinking": "%s", "signature": "%s"},
                       {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}}],
                     "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 20}}
                    """.formatted(THINKING, CLAUDE_SIGNATURE);
            case GEMINI -> """
                    {"candidates": [{"content": {"role": "model", "parts": [{"text": "%s", "thought": true},
                       {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "%s"}]},
                     "finishReason": "STOP"}], "responseId": "r1", "modelVersion": "gemini-3-pro"}
                    """.formatted(THINKING, GEMINI_SIGNATURE);
            case OPENAI_RESPONSES -> """
                    {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-5",
                     "output": [{"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "%s"}],
                       "encrypted_content": "%s"},
                       {"type": "function_call", "id": "fc_1", "call_id": "call_A", "name": "get_weather",
                        "arguments": "{\\"city\\":\\"Paris\\"}"}],
                     "usage": {"input_tokens": 10, "output_tokens": 20}}
                    """.formatted(THINKING, OPENAI_ENCRYPTED);
            case OPENAI_CHAT -> throw new IllegalArgumentException();
        };
    }

    public static String sse(Dialect provider) {
        return switch (provider) {
            case ANTHROPIC -> """
                    event: message_start
                    data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":10,"output_tokens":1}}}

                    event: content_block_start
                    data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

                    event: content_block_delta
                    data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"%s"}}

                    event: content_block_delta
                    data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"%s"}}

                    event: content_block_stop
                    data: {"type":"content_block_stop","index":0}

                    event: content_block_start
                    data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{}}}

                    event: content_block_delta
                    data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\":\\"Paris\\"}"}}

                    event: content_block_stop
                    data: {"type":"content_block_stop","index":1}

                    event: message_delta
                    data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":30}}

                    event: message_stop
                    data: {"type":"message_stop"}

                    """.formatted(THINKING, CLAUDE_SIGNATURE);
            case GEMINI -> """
                    data: {"candidates":[{"content":{"role":"model","parts":[{"text":"%s","thought":true}]},"index":0}],"responseId":"r1","modelVersion":"gemini-3-pro"}

                    data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"%s"}]},"index":0,"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":7,"totalTokenCount":17},"responseId":"r1","modelVersion":"gemini-3-pro"}

                    """.formatted(THINKING, GEMINI_SIGNATURE);
            case OPENAI_RESPONSES -> """
                    event: response.created
                    data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-5","output":[]}}

                    event: response.output_item.added
                    data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"reasoning","id":"rs_1","summary":[]}}

                    event: response.reasoning_summary_text.delta
                    data: {"type":"response.reasoning_summary_text.delta","sequence_number":2,"item_id":"rs_1","output_index":0,"summary_index":0,"delta":"%1$s"}

                    event: response.output_item.done
                    data: {"type":"response.output_item.done","sequence_number":3,"output_index":0,"item":{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"%1$s"}],"encrypted_content":"%2$s"}}

                    event: response.output_item.added
                    data: {"type":"response.output_item.added","sequence_number":4,"output_index":1,"item":{"type":"function_call","id":"fc_1","call_id":"call_A","name":"get_weather","arguments":"","status":"in_progress"}}

                    event: response.function_call_arguments.delta
                    data: {"type":"response.function_call_arguments.delta","sequence_number":5,"item_id":"fc_1","output_index":1,"delta":"{\\"city\\":\\"Paris\\"}"}

                    event: response.output_item.done
                    data: {"type":"response.output_item.done","sequence_number":6,"output_index":1,"item":{"type":"function_call","id":"fc_1","call_id":"call_A","name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}","status":"completed"}}

                    event: response.completed
                    data: {"type":"response.completed","sequence_number":7,"response":{"id":"resp_1","object":"response","status":"completed","model":"gpt-5","output":[],"usage":{"input_tokens":10,"output_tokens":20}}}

                    """.formatted(THINKING, OPENAI_ENCRYPTED);
            case OPENAI_CHAT -> throw new IllegalArgumentException();
        };
    }

    /** The provider's text answer to the follow-up. */
    public static String followUpJson(Dialect provider) {
        return switch (provider) {
            case ANTHROPIC -> """
                    {"id": "msg_2", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                     "content": [{"type": "text", "text": "%s"}], "stop_reason": "end_turn",
                     "usage": {"input_tokens": 30, "output_tokens": 5}}""".formatted(FOLLOW_UP_TEXT);
            case GEMINI -> """
                    {"candidates": [{"content": {"role": "model", "parts": [{"text": "%s"}]}, "finishReason": "STOP"}],
                     "responseId": "r2", "modelVersion": "gemini-3-pro"}""".formatted(FOLLOW_UP_TEXT);
            case OPENAI_RESPONSES -> """
                    {"id": "resp_2", "object": "response", "status": "completed", "model": "gpt-5",
                     "output": [{"type": "message", "id": "msg_2", "role": "assistant", "status": "completed",
                       "content": [{"type": "output_text", "text": "%s", "annotations": []}]}],
                     "usage": {"input_tokens": 30, "output_tokens": 5}}""".formatted(FOLLOW_UP_TEXT);
            case OPENAI_CHAT -> """
                    {"id": "chatcmpl-2", "object": "chat.completion", "created": 1, "model": "gpt-4o",
                     "choices": [{"index": 0, "message": {"role": "assistant", "content": "%s"}, "finish_reason": "stop"}],
                     "usage": {"prompt_tokens": 30, "completion_tokens": 5, "total_tokens": 35}}""".formatted(FOLLOW_UP_TEXT);
        };
    }

    /** {@link #followUpJson} as the provider streams it. */
    public static String followUpSse(Dialect provider) {
        return switch (provider) {
            case ANTHROPIC -> """
                    event: message_start
                    data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":30,"output_tokens":1}}}

                    event: content_block_start
                    data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                    event: content_block_delta
                    data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"%s"}}

                    event: content_block_stop
                    data: {"type":"content_block_stop","index":0}

                    event: message_delta
                    data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}

                    event: message_stop
                    data: {"type":"message_stop"}

                    """.formatted(FOLLOW_UP_TEXT);
            case GEMINI -> """
                    data: {"candidates":[{"content":{"role":"model","parts":[{"text":"%s"}]},"finishReason":"STOP","index":0}],"responseId":"r2","modelVersion":"gemini-3-pro"}

                    """.formatted(FOLLOW_UP_TEXT);
            case OPENAI_RESPONSES -> """
                    event: response.created
                    data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_2","object":"response","status":"in_progress","model":"gpt-5","output":[]}}

                    event: response.output_item.added
                    data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"message","id":"msg_2","role":"assistant","status":"in_progress","content":[]}}

                    event: response.content_part.added
                    data: {"type":"response.content_part.added","sequence_number":2,"item_id":"msg_2","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}

                    event: response.output_text.delta
                    data: {"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_2","output_index":0,"content_index":0,"delta":"%1$s"}

                    event: response.output_item.done
                    data: {"type":"response.output_item.done","sequence_number":4,"output_index":0,"item":{"type":"message","id":"msg_2","role":"assistant","status":"completed","content":[{"type":"output_text","text":"%1$s","annotations":[]}]}}

                    event: response.completed
                    data: {"type":"response.completed","sequence_number":5,"response":{"id":"resp_2","object":"response","status":"completed","model":"gpt-5","output":[],"usage":{"input_tokens":30,"output_tokens":5}}}

                    """.formatted(FOLLOW_UP_TEXT);
            case OPENAI_CHAT -> """
                    data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"%s"},"finish_reason":null}]}

                    data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

                    data: [DONE]

                    """.formatted(FOLLOW_UP_TEXT);
        };
    }

    /** What {@code provider} answers to a follow-up request {@code sent}: its refusal, or empty when it takes it. */
    public static Optional<String> refusal(Dialect provider, JsonNode sent) {
        return switch (provider) {
            case ANTHROPIC -> ProviderStateRules.anthropic(sent, Set.of(CLAUDE_SIGNATURE));
            case GEMINI -> ProviderStateRules.gemini(sent, Set.of(GEMINI_SIGNATURE));
            case OPENAI_RESPONSES -> ProviderStateRules.responses(sent, Set.of(OPENAI_ENCRYPTED));
            case OPENAI_CHAT -> ProviderStateRules.openAiChat(sent);
        };
    }

    /** Whether {@code sent} gives the provider its own state of the first answer back, where it belongs. */
    public static boolean stateSentBack(Dialect provider, JsonNode sent) {
        return switch (provider) {
            case ANTHROPIC -> {
                JsonNode first = sent.get("messages").get(1).get("content").get(0);
                yield first.path("type").asText().equals("thinking")
                        && first.path("signature").asText().equals(CLAUDE_SIGNATURE)
                        && first.path("thinking").asText().equals(THINKING);
            }
            case GEMINI -> sent.get("contents").get(1).get("parts").get(0).path("thoughtSignature").asText()
                    .equals(GEMINI_SIGNATURE);
            case OPENAI_RESPONSES -> {
                JsonNode input = sent.get("input");
                boolean found = false;
                for (int i = 0; i + 1 < input.size(); i++) {
                    if (input.get(i).path("encrypted_content").asText().equals(OPENAI_ENCRYPTED)) {
                        found = input.get(i).path("id").asText().equals("rs_1")
                                && input.get(i + 1).path("type").asText().equals("function_call");
                    }
                }
                yield found;
            }
            case OPENAI_CHAT -> throw new IllegalArgumentException();
        };
    }

    private static String base64(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}

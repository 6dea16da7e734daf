package dev.rosetta.dialect.opaque;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.StreamDecoder;
import dev.rosetta.dialect.StreamEncoder;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.sse.SseParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A streamed answer gets the same sealed ids as the same answer in one piece, and they restore the same. */
class OpaqueStreamTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OpaqueState OPAQUE = new OpaqueState(StateSealer.withSecret("stream-test-secret-0123456789"));
    private static final ResponseContext CONTEXT = new ResponseContext(1_750_000_000L, "resp_1", 1);
    private static final String SIGNATURE = "EqQBCkgIARABGAIiQJb3u0Ez2tRZ5mB8k1e9xVYw4iJ7Q2Gv3q0yWm8sT6fH1o";

    @Test
    void anthropicThinkingStreamedToAChatClientRidesInTheCallId() throws Exception {
        String upstream = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"usage":{"input_tokens":10,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Paris first,"}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" then answer."}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"%s"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: content_block_start
                data: {"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"EmwKAhgBEgy3va"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":1}

                event: content_block_start
                data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\":\\"Paris\\"}"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":2}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":30}}

                event: message_stop
                data: {"type":"message_stop"}

                """.formatted(SIGNATURE);
        String client = convert(Dialect.ANTHROPIC, Dialect.OPENAI_CHAT, upstream);
        String id = null;
        for (String line : client.split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode calls = MAPPER.readTree(line.substring(6)).path("choices").path(0).path("delta")
                        .path("tool_calls");
                if (calls.isArray() && calls.get(0).has("id")) {
                    id = calls.get(0).get("id").asText();
                }
            }
        }
        assertThat(id).startsWith(OpaqueState.ID_PREFIX).matches("^[a-zA-Z0-9_-]+$");
        assertThat(client).doesNotContain(SIGNATURE);

        ChatResponse whole = OPAQUE.seal(new ChatResponse("msg_01", "claude", 0, List.of(
                new ContentBlock.Thinking("Paris first, then answer.", java.util.Optional.of(SIGNATURE)),
                new ContentBlock.RedactedThinking("EmwKAhgBEgy3va"),
                ContentBlock.ToolCall.of("toolu_01A", "get_weather", "{\"city\":\"Paris\"}")),
                dev.rosetta.model.StopReason.TOOL_USE, java.util.Optional.empty(),
                dev.rosetta.model.Usage.ZERO), Dialect.OPENAI_CHAT);
        assertThat(whole.content()).filteredOn(b -> b instanceof ContentBlock.ToolCall).singleElement()
                .extracting(b -> ((ContentBlock.ToolCall) b).id()).as("same as unstreamed").isEqualTo(id);

        String turn2 = """
                {"model": "m", "reasoning_effort": "low", "messages": [{"role": "user", "content": "Weather?"},
                 {"role": "assistant", "content": null, "tool_calls": [{"id": "%1$s", "type": "function",
                   "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"}}]},
                 {"role": "tool", "tool_call_id": "%1$s", "content": "18C"}]}""".formatted(id);
        JsonNode sent = MAPPER.readTree(Codec.of(Dialect.ANTHROPIC).encodeRequest(OPAQUE.unseal(
                Codec.of(Dialect.OPENAI_CHAT).decodeRequest(turn2.getBytes(StandardCharsets.UTF_8))), "claude"));
        JsonNode content = sent.get("messages").get(1).get("content");
        assertThat(content.get(0).get("type").asText()).isEqualTo("thinking");
        assertThat(content.get(0).get("thinking").asText()).isEqualTo("Paris first, then answer.");
        assertThat(content.get(0).get("signature").asText()).isEqualTo(SIGNATURE);
        assertThat(content.get(1).get("data").asText()).isEqualTo("EmwKAhgBEgy3va");
        assertThat(content.get(2).get("id").asText()).isEqualTo("toolu_01A");
        assertThat(sent.get("messages").get(2).get("content").get(0).get("tool_use_id").asText())
                .isEqualTo("toolu_01A");
    }

    @Test
    void aGeminiStreamToAGeminiClientIsUntouched() {
        String upstream = """
                data: {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"c2ln"}]},"finishReason":"STOP"}],"responseId":"r"}

                """;
        assertThat(convert(Dialect.GEMINI, Dialect.GEMINI, upstream)).contains("\"thoughtSignature\":\"c2ln\"")
                .doesNotContain(OpaqueState.ID_PREFIX);
        assertThat(convert(Dialect.GEMINI, Dialect.OPENAI_CHAT, upstream)).contains(OpaqueState.ID_PREFIX);
    }

    private static String convert(Dialect provider, Dialect client, String sse) {
        StreamDecoder decoder = StreamDecoder.of(provider, CONTEXT);
        StreamEncoder encoder = StreamEncoder.of(client, StreamEncoder.Options.DEFAULT);
        OpaqueState.Stream seal = OPAQUE.forStream(client);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<byte[]> frames = new ArrayList<>();
        SseParser parser = new SseParser(1 << 20, e -> seal.onEvents(decoder.onEvent(e))
                .forEach(ev -> frames.addAll(encoder.onEvent(ev))));
        parser.feed(sse.getBytes(StandardCharsets.UTF_8));
        parser.finish();
        seal.onEvents(decoder.finish()).forEach(ev -> frames.addAll(encoder.onEvent(ev)));
        frames.addAll(encoder.finish());
        frames.forEach(out::writeBytes);
        return out.toString(StandardCharsets.UTF_8);
    }
}

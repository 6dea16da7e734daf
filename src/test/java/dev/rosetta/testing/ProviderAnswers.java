package dev.rosetta.testing;

import dev.rosetta.dialect.Dialect;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Minimal, valid provider answers in each upstream dialect whose text is a caller's tag, so a test
 * can tell which request an answer belongs to: a JSON body, an SSE stream in three parts (opening,
 * more text, closing), and an error body.
 */
public final class ProviderAnswers {

    private static final Pattern TAG = Pattern.compile("TAG[A-Za-z0-9]+");
    private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");

    private ProviderAnswers() {
    }

    /** The dialect a provider request is in, from its path. */
    public static Dialect dialectOf(String path) {
        if (path.contains(":generateContent") || path.contains(":streamGenerateContent")) {
            return Dialect.GEMINI;
        }
        if (path.endsWith("/messages")) {
            return Dialect.ANTHROPIC;
        }
        if (path.endsWith("/responses")) {
            return Dialect.OPENAI_RESPONSES;
        }
        return Dialect.OPENAI_CHAT;
    }

    public static boolean streamed(String path, String body) {
        return path.contains(":streamGenerateContent") || STREAM.matcher(body).find();
    }

    /** The first tag in a request body, or "TAGnone". */
    public static String tag(String body) {
        Matcher m = TAG.matcher(body);
        return m.find() ? m.group() : "TAGnone";
    }

    public static String json(Dialect d, String text) {
        return switch (d) {
            case OPENAI_CHAT -> "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
                    + "\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":\""
                    + text + "\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";
            case OPENAI_RESPONSES -> "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\","
                    + "\"model\":\"m\",\"output\":[{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\","
                    + "\"content\":[{\"type\":\"output_text\",\"text\":\"" + text + "\",\"annotations\":[]}]}],"
                    + "\"usage\":{\"input_tokens\":1,\"output_tokens\":1,\"total_tokens\":2}}";
            case ANTHROPIC -> "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\","
                    + "\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}],\"stop_reason\":\"end_turn\","
                    + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}";
            case GEMINI -> "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + text + "\"}],\"role\":\"model\"},"
                    + "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":1,"
                    + "\"candidatesTokenCount\":1,\"totalTokenCount\":2},\"modelVersion\":\"m\",\"responseId\":\"r1\"}";
        };
    }

    /** The events that open a stream, the first carrying {@code text}. */
    public static List<String> opening(Dialect d, String text) {
        return switch (d) {
            case OPENAI_CHAT -> List.of(chatChunk("{\"role\":\"assistant\",\"content\":\"" + text + "\"}", "null"));
            case OPENAI_RESPONSES -> List.of(
                    "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\","
                            + "\"object\":\"response\",\"created_at\":1,\"status\":\"in_progress\",\"model\":\"m\",\"output\":[]}}\n\n",
                    "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":1,"
                            + "\"output_index\":0,\"item\":{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"in_progress\","
                            + "\"role\":\"assistant\",\"content\":[]}}\n\n",
                    "event: response.content_part.added\ndata: {\"type\":\"response.content_part.added\",\"sequence_number\":2,"
                            + "\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\","
                            + "\"text\":\"\",\"annotations\":[]}}\n\n",
                    delta(d, text));
            case ANTHROPIC -> List.of(
                    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                            + "\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,"
                            + "\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n",
                    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                    delta(d, text));
            case GEMINI -> List.of(delta(d, text));
        };
    }

    /** One more piece of text in an open stream. */
    public static String delta(Dialect d, String text) {
        return switch (d) {
            case OPENAI_CHAT -> chatChunk("{\"content\":\"" + text + "\"}", "null");
            case OPENAI_RESPONSES -> "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
                    + "\"sequence_number\":3,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\""
                    + text + "\"}\n\n";
            case ANTHROPIC -> "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}\n\n";
            case GEMINI -> "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + text
                    + "\"}],\"role\":\"model\"},\"index\":0}]}\n\n";
        };
    }

    /** The events that end a stream normally. */
    public static List<String> closing(Dialect d) {
        return switch (d) {
            case OPENAI_CHAT -> List.of(chatChunk("{}", "\"stop\""), "data: [DONE]\n\n");
            case OPENAI_RESPONSES -> List.of(
                    "event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"sequence_number\":8,"
                            + "\"output_index\":0,\"item\":{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\","
                            + "\"role\":\"assistant\",\"content\":[]}}\n\n",
                    "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":9,\"response\":"
                            + "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\",\"model\":\"m\","
                            + "\"output\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1,\"total_tokens\":2}}}\n\n");
            case ANTHROPIC -> List.of(
                    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                            + "\"usage\":{\"output_tokens\":2}}\n\n",
                    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
            case GEMINI -> List.of("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":\"model\"},"
                    + "\"index\":0,\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":1,"
                    + "\"candidatesTokenCount\":1,\"totalTokenCount\":2}}\n\n");
        };
    }

    /** A whole stream: opening with {@code text}, closing. */
    public static String stream(Dialect d, String text) {
        StringBuilder sb = new StringBuilder();
        opening(d, text).forEach(sb::append);
        closing(d).forEach(sb::append);
        return sb.toString();
    }

    /** The provider's own error body for {@code status}. */
    public static String error(Dialect d, int status, String message) {
        return switch (d) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> "{\"error\":{\"message\":\"" + message + "\",\"type\":\""
                    + (status == 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error")
                    + "\",\"param\":null,\"code\":null}}";
            case ANTHROPIC -> "{\"type\":\"error\",\"error\":{\"type\":\"" + (status == 429 ? "rate_limit_error"
                    : status == 529 ? "overloaded_error" : status >= 500 ? "api_error" : "invalid_request_error")
                    + "\",\"message\":\"" + message + "\"}}";
            case GEMINI -> "{\"error\":{\"code\":" + status + ",\"message\":\"" + message + "\",\"status\":\""
                    + (status == 429 ? "RESOURCE_EXHAUSTED" : status == 503 ? "UNAVAILABLE" : status >= 500 ? "INTERNAL"
                    : "INVALID_ARGUMENT") + "\"}}";
        };
    }

    private static String chatChunk(String delta, String finish) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}\n\n";
    }
}

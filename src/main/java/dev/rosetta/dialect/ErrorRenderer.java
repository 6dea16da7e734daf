package dev.rosetta.dialect;

import static dev.rosetta.pipeline.JsonStrings.append;

import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.sse.SseEvent;
import dev.rosetta.sse.SseWriter;
import java.nio.charset.StandardCharsets;

/**
 * Renders a {@link GatewayError} as the error body each client dialect's SDK understands, and as the
 * frame that ends a stream of that dialect in error.
 */
public final class ErrorRenderer {

    private ErrorRenderer() {
    }

    public static byte[] render(Dialect dialect, GatewayError error) {
        StringBuilder sb = new StringBuilder(160);
        switch (dialect) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> {
                sb.append("{\"error\":");
                openAiError(sb, error).append('}');
            }
            case ANTHROPIC -> {
                sb.append("{\"type\":\"error\",\"error\":{\"type\":");
                append(sb, error.kind().anthropicType()).append(",\"message\":");
                append(sb, error.message()).append("}}");
            }
            case GEMINI -> {
                sb.append("{\"error\":{\"code\":").append(error.kind().geminiHttpStatus()).append(",\"message\":");
                append(sb, error.message()).append(",\"status\":");
                append(sb, error.kind().geminiStatus());
                if (error.kind() == ErrorKind.UNAUTHENTICATED) {
                    // As Google reports a bad key: google-genai and Google's own tooling look for this reason.
                    sb.append(",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
                            + "\"reason\":\"API_KEY_INVALID\",\"domain\":\"googleapis.com\","
                            + "\"metadata\":{\"service\":\"generativelanguage.googleapis.com\"}}]");
                } else if (error.kind() == ErrorKind.RATE_LIMITED && error.retryAfterSeconds().isPresent()) {
                    // As Google says when to come back: a google.rpc.RetryInfo detail.
                    sb.append(",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
                            + "\"retryDelay\":\"").append(error.retryAfterSeconds().get()).append("s\"}]");
                }
                sb.append("}}");
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The SSE frame that ends a stream of {@code dialect} in error, as each dialect's SDKs raise on it:
     * Chat Completions and Gemini a {@code data} object holding {@code error}, Anthropic an
     * {@code error} event, Responses its own {@code error} event (see {@link #responsesErrorEvent}).
     *
     * @param nextSequence Responses: the {@code sequence_number} the event takes (one past the last sent)
     */
    public static byte[] streamFrame(Dialect dialect, GatewayError error, long nextSequence) {
        return switch (dialect) {
            case OPENAI_RESPONSES -> responsesErrorEvent(error, nextSequence);
            case ANTHROPIC -> SseWriter.encode(new SseEvent("error", string(render(dialect, error)), ""));
            case OPENAI_CHAT, GEMINI -> SseWriter.encode(new SseEvent("", string(render(dialect, error)), ""));
        };
    }

    /**
     * A Responses stream's {@code error} event: the documented fields ({@code code}, {@code message},
     * {@code param}, {@code sequence_number}) at the top, and the error object again under
     * {@code error}, as the OpenAI API itself sends it mid-stream. That nested object is what the
     * official SDKs raise on while iterating (openai-java throws {@code SseException}, openai-python
     * and openai-node {@code APIError}); with the flat fields alone openai-java and openai-python hand
     * the event to the caller as data and only a later {@code finalResponse}-style call fails, so a
     * caller that just reads deltas would take a cut answer for a whole one. {@code response.failed}
     * would be worse: openai-java's accumulator returns it as the final response.
     */
    public static byte[] responsesErrorEvent(GatewayError error, long sequence) {
        StringBuilder sb = new StringBuilder(320);
        sb.append("{\"type\":\"error\",\"sequence_number\":").append(sequence).append(",\"code\":");
        append(sb, error.code().orElse(error.kind().openAiType())).append(",\"message\":");
        append(sb, error.message()).append(",\"param\":");
        if (error.param().isPresent()) {
            append(sb, error.param().get());
        } else {
            sb.append("null");
        }
        sb.append(",\"error\":");
        openAiError(sb, error).append('}');
        return SseWriter.encode(new SseEvent("error", sb.toString(), ""));
    }

    /** {@code {"message","type","param","code"}}: OpenAI's error object. */
    private static StringBuilder openAiError(StringBuilder sb, GatewayError error) {
        sb.append("{\"message\":");
        append(sb, error.message()).append(",\"type\":");
        append(sb, error.kind().openAiType()).append(",\"param\":");
        if (error.param().isPresent()) {
            append(sb, error.param().get());
        } else {
            sb.append("null");
        }
        sb.append(",\"code\":");
        if (error.code().isPresent()) {
            append(sb, error.code().get());
        } else {
            sb.append("null");
        }
        return sb.append('}');
    }

    private static String string(byte[] utf8) {
        return new String(utf8, StandardCharsets.UTF_8);
    }
}

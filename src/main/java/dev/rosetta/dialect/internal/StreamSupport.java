package dev.rosetta.dialect.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.sse.SseEvent;
import dev.rosetta.sse.SseWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** What the stream decoders and encoders of all dialects share: event parsing, error values, frames. */
public final class StreamSupport {
    private StreamSupport() {
    }

    /** The data of an event as a JSON object, or empty when it is not one. */
    public static Optional<ObjectNode> object(SseEvent event) {
        return JsonTrees.tryParse(event.data()).filter(ObjectNode.class::isInstance).map(ObjectNode.class::cast);
    }

    /** A text member, or {@code ""} when absent, null or not a string. */
    public static String text(JsonNode node, String name) {
        JsonNode v = node.get(name);
        return v != null && v.isTextual() ? v.textValue() : "";
    }

    public static Optional<String> optText(JsonNode node, String name) {
        JsonNode v = node.get(name);
        return v != null && v.isTextual() ? Optional.of(v.textValue()) : Optional.empty();
    }

    public static long number(JsonNode node, String name) {
        JsonNode v = node == null ? null : node.get(name);
        return v != null && v.canConvertToLong() ? v.longValue() : 0;
    }

    /** The upstream's own error object ({@code {"type"|"status"|"code", "message"}}) as a gateway error. */
    public static GatewayError upstreamError(JsonNode error) {
        String type = text(error, "type");
        if (type.isEmpty()) {
            type = text(error, "status");
        }
        JsonNode code = error.get("code");
        int status = code != null && code.isInt() ? code.intValue() : 0;
        String codeText = code != null && code.isTextual() ? code.textValue() : "";
        if (type.isEmpty()) {
            type = codeText;
        }
        String message = text(error, "message");
        GatewayError out = GatewayError.of(kindOf(type, status),
                message.isEmpty() ? "upstream stream error" + (type.isEmpty() ? "" : " (" + type + ")") : message);
        return codeText.isEmpty() ? out : out.withCode(codeText);
    }

    /** The kind for an upstream error type, code or status name (any dialect), else by HTTP status. */
    public static ErrorKind kindOf(String type, int status) {
        return switch (type) {
            case "overloaded_error", "overloaded" -> ErrorKind.OVERLOADED;
            case "rate_limit_error", "rate_limit_exceeded", "insufficient_quota", "RESOURCE_EXHAUSTED" ->
                    ErrorKind.RATE_LIMITED;
            case "invalid_request_error", "invalid_prompt", "context_length_exceeded", "INVALID_ARGUMENT",
                 "FAILED_PRECONDITION" -> ErrorKind.INVALID_REQUEST;
            case "authentication_error", "invalid_api_key", "UNAUTHENTICATED" -> ErrorKind.AUTHENTICATION;
            case "permission_error", "billing_error", "PERMISSION_DENIED" -> ErrorKind.PERMISSION;
            case "not_found_error", "model_not_found", "NOT_FOUND" -> ErrorKind.NOT_FOUND;
            case "request_too_large" -> ErrorKind.PAYLOAD_TOO_LARGE;
            case "timeout_error", "timeout", "DEADLINE_EXCEEDED" -> ErrorKind.TIMEOUT;
            case "UNAVAILABLE" -> ErrorKind.UNAVAILABLE;
            case "api_error", "server_error", "INTERNAL" -> ErrorKind.INTERNAL;
            default -> status > 0 ? ErrorKind.fromStatus(status) : ErrorKind.INTERNAL;
        };
    }

    /** The upstream sent an event that does not parse or does not fit the stream. */
    public static StreamEvent.Error malformed(String dialect, String what) {
        return new StreamEvent.Error(GatewayError.of(ErrorKind.BAD_GATEWAY,
                "malformed " + dialect + " stream from upstream: " + what));
    }

    /** The upstream stream ended without its terminal frame. */
    public static StreamEvent.Error cut(String dialect, String missing) {
        return new StreamEvent.Error(GatewayError.of(ErrorKind.BAD_GATEWAY,
                "upstream " + dialect + " stream ended before " + missing));
    }

    /** The neutral stream ended without a terminal event (what an encoder's {@code finish()} reports). */
    public static GatewayError unterminated() {
        return GatewayError.of(ErrorKind.BAD_GATEWAY, "the answer stream ended unexpectedly");
    }

    /** One SSE frame whose data is {@code json}. */
    public static byte[] sse(String event, JsonNode json) {
        return SseWriter.encode(new SseEvent(event, JsonTrees.writeString(json), ""));
    }

    /** One SSE frame of the default type. */
    public static byte[] sse(JsonNode json) {
        return sse("", json);
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package dev.rosetta.upstream.bedrock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Bedrock's InvokeModelWithResponseStream answer as Anthropic's SSE stream: each {@code chunk} event's
 * payload is {@code {"bytes": "<base64 of one Anthropic event>"}}, written as {@code event: <type>} and
 * {@code data: <the event>}; an exception message becomes Anthropic's {@code error} event, so both a
 * relayed and a converted stream end with the client dialect's own error.
 */
public final class BedrockEvents implements EventStreamDecoder.Sink {

    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final EventStreamDecoder decoder = new EventStreamDecoder();
    private Buffer out;

    /** The SSE bytes of the messages {@code chunk} completes (possibly none). */
    public Buffer feed(Buffer chunk) {
        out = Buffer.buffer(chunk.length() + 64);
        byte[] bytes = chunk.getBytes();
        decoder.feed(bytes, 0, bytes.length, this);
        return out;
    }

    public boolean partial() {
        return decoder.partial();
    }

    @Override
    public void message(String messageType, String eventType, String exceptionType, byte[] buf, int off, int len) {
        try {
            if ("exception".equals(messageType) || "error".equals(messageType)) {
                error(exceptionType == null ? "internalServerException" : exceptionType, message(buf, off, len));
                return;
            }
            if (!"chunk".equals(eventType)) {
                return;
            }
            byte[] event = Base64.getDecoder().decode(field(buf, off, len, "bytes"));
            String type = field(event, 0, event.length, "type");
            out.appendBytes(EVENT).appendString(type.isEmpty() ? "message" : type).appendBytes(DATA)
                    .appendBytes(event).appendBytes(END);
        } catch (IOException | IllegalArgumentException e) {
            throw new EventStreamDecoder.FramingException("a Bedrock stream event Rosetta could not read");
        }
    }

    private void error(String exceptionType, String message) {
        String type = switch (exceptionType) {
            case "throttlingException" -> "rate_limit_error";
            case "serviceUnavailableException", "modelNotReadyException" -> "overloaded_error";
            case "validationException" -> "invalid_request_error";
            case "accessDeniedException" -> "permission_error";
            case "modelTimeoutException" -> "timeout_error";
            default -> "api_error";
        };
        out.appendString("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"")
                .appendString(new String(JsonStringEncoder.getInstance().quoteAsString(
                        "Bedrock " + exceptionType + ": " + message)))
                .appendString("\"}}\n\n");
    }

    private static String message(byte[] buf, int off, int len) {
        try {
            String m = field(buf, off, len, "message");
            return m.isEmpty() ? field(buf, off, len, "Message") : m;
        } catch (IOException e) {
            return "";
        }
    }

    /** A top-level string field of a JSON object, or empty. */
    static String field(byte[] buf, int off, int len, String name) throws IOException {
        try (JsonParser p = JSON.createParser(buf, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return "";
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_STRING && f.equals(name)) {
                    return p.getText();
                }
                p.skipChildren();
            }
            return "";
        }
    }
}

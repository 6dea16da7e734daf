package dev.rosetta.dialect;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.pipeline.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * An upstream's error answer, whatever its dialect, as a gateway error to re-render in the client's
 * dialect: the status decides the kind, the upstream's own message is kept. All three dialects put
 * the message at {@code error.message}; Anthropic's and OpenAI's {@code error.type} / Gemini's
 * {@code error.status} refine the kind where the status alone is ambiguous. AWS (Bedrock) puts it at
 * the top-level {@code message}.
 */
public final class UpstreamErrors {

    private static final int MAX_MESSAGE = 2000;

    private UpstreamErrors() {
    }

    public static GatewayError parse(String provider, int status, byte[] body, Optional<String> retryAfter) {
        String message = "";
        String type = "";
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                t = p.nextToken(); // some Gemini proxies wrap the error in an array
            }
            if (t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (value == JsonToken.VALUE_STRING && message.isEmpty()
                            && (name.equals("message") || name.equals("Message"))) {
                        // AWS's shape (Bedrock): {"message": "..."} beside no error object
                        message = p.getText();
                    } else if (value == JsonToken.START_OBJECT && name.equals("error")) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String field = p.currentName();
                            JsonToken v = p.nextToken();
                            if (v == JsonToken.VALUE_STRING && field.equals("message")) {
                                message = p.getText();
                            } else if (v == JsonToken.VALUE_STRING && (field.equals("type") || field.equals("status"))) {
                                type = p.getText();
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: keep the text itself below
        }
        if (message.isEmpty()) {
            String text = new String(body, 0, Math.min(body.length, MAX_MESSAGE), StandardCharsets.UTF_8).strip();
            message = text.isEmpty() ? "upstream provider " + provider + " answered HTTP " + status : text;
        }
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
        ErrorKind kind = switch (type) {
            case "overloaded_error" -> ErrorKind.OVERLOADED;
            case "insufficient_quota", "RESOURCE_EXHAUSTED", "rate_limit_error" -> ErrorKind.RATE_LIMITED;
            default -> ErrorKind.fromStatus(status);
        };
        GatewayError error = GatewayError.of(kind, message);
        if (retryAfter.isPresent()) {
            try {
                error = error.withRetryAfter(Math.max(0, (long) Math.ceil(Double.parseDouble(retryAfter.get().trim()))));
            } catch (NumberFormatException e) {
                // an HTTP date: not relayed
            }
        }
        return error;
    }
}

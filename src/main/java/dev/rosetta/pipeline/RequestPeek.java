package dev.rosetta.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rosetta.error.GatewayError;
import dev.rosetta.error.GatewayException;
import java.io.IOException;
import java.util.Optional;

/**
 * What the gateway needs to know of a request body without building a tree: the top-level
 * {@code model} (and where its bytes are, so it can be replaced in place), {@code stream} and the
 * output limit the request sets (for the limits' token estimate). Reading
 * it also checks the body is well-formed JSON, so malformed input is refused before it costs anything
 * upstream.
 *
 * @param modelStart offset of the opening quote of the model string, or -1
 * @param modelEnd offset just past its closing quote, or -1
 * @param maxOutputTokens {@code max_tokens}, {@code max_completion_tokens}, {@code max_output_tokens} or
 *     Gemini's {@code generationConfig.maxOutputTokens}, or -1 when it sets none
 */
public record RequestPeek(Optional<String> model, int modelStart, int modelEnd, boolean stream,
                          long maxOutputTokens) {

    public static RequestPeek of(byte[] body) {
        if (body.length == 0) {
            throw GatewayError.invalid("request body is empty; expected a JSON object", "$").toException();
        }
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw GatewayError.invalid("request body must be a JSON object", "$").toException();
            }
            String model = null;
            int start = -1;
            int end = -1;
            boolean stream = false;
            long maxOutput = -1;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("model".equals(name)) {
                    if (v != JsonToken.VALUE_STRING) {
                        throw GatewayError.invalid("model must be a string", "$.model").toException();
                    }
                    start = (int) p.currentTokenLocation().getByteOffset();
                    model = p.getText();
                    end = (int) p.currentLocation().getByteOffset();
                } else if ("stream".equals(name)) {
                    stream = v == JsonToken.VALUE_TRUE;
                } else if (v == JsonToken.VALUE_NUMBER_INT && ("max_tokens".equals(name)
                        || "max_completion_tokens".equals(name) || "max_output_tokens".equals(name))) {
                    maxOutput = Math.max(maxOutput, p.getLongValue());
                } else if (v == JsonToken.START_OBJECT && ("generationConfig".equals(name)
                        || "generation_config".equals(name))) {
                    maxOutput = Math.max(maxOutput, maxOutputTokens(p));
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw GatewayError.invalid("malformed JSON", "$").toException();
            }
            if (p.nextToken() != null) {
                throw GatewayError.invalid("malformed JSON: unexpected content after the top-level object", "$")
                        .toException();
            }
            return new RequestPeek(Optional.ofNullable(model), start, end, stream, maxOutput);
        } catch (StreamConstraintsException e) {
            throw GatewayError.invalid("request JSON exceeds a limit: " + e.getOriginalMessage(), "$").toException();
        } catch (JsonEOFException e) {
            throw GatewayError.invalid("malformed JSON: unexpected end of input", "$").toException();
        } catch (JsonProcessingException e) {
            throw GatewayError.invalid("malformed JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", "$")
                    .toException();
        } catch (IOException e) {
            throw GatewayError.invalid("unreadable request body", "$").toException();
        }
    }

    /** Gemini's {@code generationConfig.maxOutputTokens}, the parser inside that object; -1 if absent. */
    private static long maxOutputTokens(JsonParser p) throws IOException {
        long found = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NUMBER_INT && ("maxOutputTokens".equals(name) || "max_output_tokens".equals(name))) {
                found = p.getLongValue();
            } else {
                p.skipChildren();
            }
        }
        return found;
    }

    /** The body with the model string replaced by {@code upstreamModel}; every other byte unchanged. */
    public byte[] withModel(byte[] body, String upstreamModel) {
        if (modelStart < 0 || model.orElse("").equals(upstreamModel)) {
            return body;
        }
        byte[] replacement = JsonStrings.quote(upstreamModel);
        byte[] out = new byte[body.length - (modelEnd - modelStart) + replacement.length];
        System.arraycopy(body, 0, out, 0, modelStart);
        System.arraycopy(replacement, 0, out, modelStart, replacement.length);
        System.arraycopy(body, modelEnd, out, modelStart + replacement.length, body.length - modelEnd);
        return out;
    }
}

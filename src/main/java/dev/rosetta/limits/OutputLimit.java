package dev.rosetta.limits;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.OptionalLong;

/**
 * The output limit a request body sets, in any dialect: {@code max_tokens} (Chat Completions,
 * Anthropic), {@code max_completion_tokens}, {@code max_output_tokens} (Responses) or
 * {@code generationConfig.maxOutputTokens} (Gemini). A streaming scan that stops at the end of the
 * top-level object; it never builds a tree.
 */
final class OutputLimit {

    private static final JsonFactory JSON = new JsonFactory();

    private OutputLimit() {
    }

    static OptionalLong of(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return OptionalLong.empty();
            }
            long found = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NUMBER_INT && (name.equals("max_tokens")
                        || name.equals("max_completion_tokens") || name.equals("max_output_tokens"))) {
                    found = Math.max(found, p.getLongValue());
                } else if (value == JsonToken.START_OBJECT
                        && (name.equals("generationConfig") || name.equals("generation_config"))) {
                    found = Math.max(found, generation(p));
                } else {
                    p.skipChildren();
                }
            }
            return found < 0 ? OptionalLong.empty() : OptionalLong.of(found);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    private static long generation(JsonParser p) throws IOException {
        long found = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NUMBER_INT
                    && (name.equals("maxOutputTokens") || name.equals("max_output_tokens"))) {
                found = p.getLongValue();
            } else {
                p.skipChildren();
            }
        }
        return found;
    }
}

package dev.rosetta.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.Set;

/**
 * What the real providers refuse about the opaque state in a follow-up request, so that a fake upstream
 * can answer 400 as they would: Anthropic with thinking on, when the assistant turn whose tool calls are
 * answered does not start with a thinking block, or a thinking signature it did not issue; Gemini 3 when
 * the first function call of a model turn in the current turn has no (or a foreign) thought signature;
 * the Responses API when a reasoning item's encrypted content is not one it issued; Chat Completions when
 * a tool-call id is longer than 40 characters.
 */
public final class ProviderStateRules {
    /** Google's documented stand-in signature, accepted for calls that came from another model. */
    public static final String GEMINI_SKIP = "skip_thought_signature_validator";

    private ProviderStateRules() {
    }

    /** Anthropic's refusal of a Messages request, or empty when it would take it. */
    public static Optional<String> anthropic(JsonNode request, Set<String> issuedSignatures) {
        JsonNode messages = request.path("messages");
        for (JsonNode m : messages) {
            for (JsonNode b : m.path("content")) {
                if (b.path("type").asText().equals("thinking")
                        && !issuedSignatures.contains(b.path("signature").asText())) {
                    return Optional.of("messages: Invalid `signature` in `thinking` block");
                }
            }
        }
        if (!request.path("thinking").path("type").asText().equals("enabled")) {
            return Optional.empty();
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if (!m.path("role").asText().equals("assistant")) {
                continue;
            }
            JsonNode content = m.path("content");
            boolean calls = false;
            for (JsonNode b : content) {
                calls |= b.path("type").asText().equals("tool_use");
            }
            if (!calls) {
                return Optional.empty();
            }
            String first = content.get(0).path("type").asText();
            return first.equals("thinking") || first.equals("redacted_thinking") ? Optional.empty()
                    : Optional.of("messages." + i + ".content.0.type: Expected `thinking` or `redacted_thinking`, "
                            + "but found `" + first + "`. When `thinking` is enabled, a final `assistant` message "
                            + "must start with a thinking block");
        }
        return Optional.empty();
    }

    /** Gemini 3's refusal of a generateContent request, or empty when it would take it. */
    public static Optional<String> gemini(JsonNode request, Set<String> issuedSignatures) {
        JsonNode contents = request.path("contents");
        // The current turn starts after the last user content that is not only function responses.
        int start = 0;
        for (int i = 0; i < contents.size(); i++) {
            JsonNode c = contents.get(i);
            boolean responses = true;
            for (JsonNode p : c.path("parts")) {
                responses &= p.has("functionResponse");
            }
            if (c.path("role").asText().equals("user") && !responses) {
                start = i;
            }
        }
        for (int i = start; i < contents.size(); i++) {
            JsonNode c = contents.get(i);
            if (!c.path("role").asText().equals("model")) {
                continue;
            }
            for (JsonNode p : c.path("parts")) {
                if (p.has("functionCall")) {
                    String sig = p.path("thoughtSignature").asText("");
                    if (!sig.equals(GEMINI_SKIP) && !issuedSignatures.contains(sig)) {
                        return Optional.of("Function call is missing a thought_signature in functionCall parts. "
                                + "contents[" + i + "]");
                    }
                    break;
                }
            }
        }
        return Optional.empty();
    }

    /** OpenAI's limit on a Chat Completions tool-call id. */
    public static final int OPENAI_MAX_CALL_ID = 40;

    /**
     * Chat Completions' refusal, or empty when it would take it: OpenAI's 400 for an id over 40 characters
     * ("Invalid 'messages[2].tool_calls[0].id': string too long. Expected a string with maximum length 40,
     * but got a string with length 83 instead.", as quoted in autogen#6377, Portkey gateway#1062,
     * openclaw#875), in an assistant's call or a tool message.
     */
    public static Optional<String> openAiChat(JsonNode request) {
        JsonNode messages = request.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            JsonNode calls = m.path("tool_calls");
            for (int j = 0; j < calls.size(); j++) {
                Optional<String> refusal = tooLong("messages[" + i + "].tool_calls[" + j + "].id",
                        calls.get(j).path("id").asText());
                if (refusal.isPresent()) {
                    return refusal;
                }
            }
            Optional<String> refusal = tooLong("messages[" + i + "].tool_call_id", m.path("tool_call_id").asText());
            if (refusal.isPresent()) {
                return refusal;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> tooLong(String where, String id) {
        return id.length() <= OPENAI_MAX_CALL_ID ? Optional.empty() : Optional.of("Invalid '" + where
                + "': string too long. Expected a string with maximum length " + OPENAI_MAX_CALL_ID
                + ", but got a string with length " + id.length() + " instead.");
    }

    /** The Responses API's refusal, or empty when it would take it. */
    public static Optional<String> responses(JsonNode request, Set<String> issuedContents) {
        for (JsonNode item : request.path("input")) {
            if (item.path("type").asText().equals("reasoning") && item.has("encrypted_content")
                    && !issuedContents.contains(item.path("encrypted_content").asText())) {
                return Optional.of("The encrypted content for item " + item.path("id").asText()
                        + " could not be verified.");
            }
        }
        return Optional.empty();
    }
}

package dev.rosetta.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.dialect.Dialect;

/** Reads what the mock needs of a request: the last thing the user said, and all text for counting. */
final class MockPrompt {

    private MockPrompt() {
    }

    static String lastUserText(Dialect dialect, JsonNode request) {
        JsonNode turns = switch (dialect) {
            case OPENAI_CHAT, ANTHROPIC -> request.path("messages");
            case OPENAI_RESPONSES -> request.path("input");
            case GEMINI -> request.path("contents");
        };
        if (turns.isTextual()) {
            return turns.asText();
        }
        for (int i = turns.size() - 1; i >= 0; i--) {
            JsonNode turn = turns.get(i);
            String role = turn.path("role").asText("user");
            if (!role.equals("user")) {
                continue;
            }
            JsonNode content = dialect == Dialect.GEMINI ? turn.path("parts") : turn.path("content");
            if (content.isTextual()) {
                return content.asText();
            }
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                if (part.path("text").isTextual()) {
                    sb.append(part.path("text").asText());
                }
            }
            if (!sb.isEmpty()) {
                return sb.toString();
            }
        }
        return "";
    }

    /** Every string in the request, concatenated: a rough basis for token estimates. */
    static String allText(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        collect(node, sb);
        return sb.toString();
    }

    private static void collect(JsonNode node, StringBuilder sb) {
        if (node.isTextual()) {
            sb.append(node.asText()).append(' ');
        } else if (node.isContainerNode()) {
            node.forEach(n -> collect(n, sb));
        }
    }
}

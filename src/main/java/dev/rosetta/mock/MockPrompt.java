package dev.rosetta.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.Dialect;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what the mock needs of a request: the last thing the user said, all text for counting, and
 * the tool call the user asked the mock to make.
 */
final class MockPrompt {

    /**
     * {@code [[mock-tool NAME {json arguments}]]} in the user's last message asks the mock to call the
     * offered tool NAME with those arguments, once: a client's tool round trip can be tested offline.
     */
    private static final Pattern TOOL_MARKER = Pattern.compile("\\[\\[mock-tool ([A-Za-z0-9_.:-]+) (\\{.*?\\})]]",
            Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tool call the user asked for. */
    record ToolCall(String name, ObjectNode arguments) {
    }

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

    /**
     * The tool call the user's last message asks for, when the request offers a function tool of that
     * name and its last turn is not already a tool result (the mock calls once, then answers in text).
     */
    static Optional<ToolCall> toolCall(Dialect dialect, JsonNode request) {
        if (lastToolResult(dialect, request).isPresent()) {
            return Optional.empty();
        }
        Matcher m = TOOL_MARKER.matcher(currentUserText(dialect, request));
        if (!m.find() || !offers(dialect, request.path("tools"), m.group(1))) {
            return Optional.empty();
        }
        try {
            return JSON.readTree(m.group(2)) instanceof ObjectNode args ? Optional.of(new ToolCall(m.group(1), args))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The text of every user message since the model last spoke: agents often split one turn into
     * several messages (Codex puts its environment after the prompt, Claude Code a system message).
     */
    private static String currentUserText(Dialect dialect, JsonNode request) {
        JsonNode turns = switch (dialect) {
            case OPENAI_CHAT, ANTHROPIC -> request.path("messages");
            case OPENAI_RESPONSES -> request.path("input");
            case GEMINI -> request.path("contents");
        };
        if (turns.isTextual()) {
            return turns.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = turns.size() - 1; i >= 0; i--) {
            JsonNode turn = turns.get(i);
            // Responses items other than messages (function_call, reasoning, ...) are the model's.
            String role = turn.path("role").asText(turn.has("type") && !turn.path("type").asText().equals("message")
                    ? "assistant" : "user");
            if (role.equals("assistant") || role.equals("model")) {
                break;
            }
            if (role.equals("user")) {
                sb.insert(0, text(dialect == Dialect.GEMINI ? turn.path("parts") : turn.path("content")) + "\n");
            }
        }
        return sb.toString();
    }

    private static boolean offers(Dialect dialect, JsonNode tools, String name) {
        for (JsonNode t : tools) {
            boolean match = switch (dialect) {
                case OPENAI_CHAT -> t.path("function").path("name").asText().equals(name);
                case OPENAI_RESPONSES -> t.path("type").asText().equals("function") && t.path("name").asText().equals(name);
                case ANTHROPIC -> t.path("name").asText().equals(name);
                case GEMINI -> {
                    for (JsonNode d : t.path("functionDeclarations")) {
                        if (d.path("name").asText().equals(name)) {
                            yield true;
                        }
                    }
                    yield false;
                }
            };
            if (match) {
                return true;
            }
        }
        return false;
    }

    /** The text of the tool result that ends the conversation, if it ends in one. */
    static Optional<String> lastToolResult(Dialect dialect, JsonNode request) {
        JsonNode turns = switch (dialect) {
            case OPENAI_CHAT, ANTHROPIC -> request.path("messages");
            case OPENAI_RESPONSES -> request.path("input");
            case GEMINI -> request.path("contents");
        };
        if (!turns.isArray() || turns.isEmpty()) {
            return Optional.empty();
        }
        JsonNode last = turns.get(turns.size() - 1);
        return switch (dialect) {
            case OPENAI_CHAT -> last.path("role").asText().equals("tool") ? Optional.of(text(last.path("content")))
                    : Optional.empty();
            case OPENAI_RESPONSES -> last.path("type").asText().endsWith("call_output")
                    ? Optional.of(text(last.path("output"))) : Optional.empty();
            case ANTHROPIC -> {
                for (JsonNode part : last.path("content")) {
                    if (part.path("type").asText().equals("tool_result")) {
                        yield Optional.of(text(part.path("content")));
                    }
                }
                yield Optional.empty();
            }
            case GEMINI -> {
                for (JsonNode part : last.path("parts")) {
                    if (part.has("functionResponse")) {
                        yield Optional.of(part.path("functionResponse").path("response").toString());
                    }
                }
                yield Optional.empty();
            }
        };
    }

    /** A string, or the text parts of an array of content parts. */
    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            sb.append(part.path("text").asText(""));
        }
        return sb.toString();
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

package dev.rosetta.dialect.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Tool-call arguments between the JSON text OpenAI uses and the JSON object Anthropic and Gemini use. */
public final class ToolArgs {
    private ToolArgs() {
    }

    /**
     * The arguments as an object: empty text is {@code {}}; text that is not a JSON object (a call cut
     * short by the token limit) is kept verbatim under {@code _raw} rather than guessed at.
     */
    public static ObjectNode toObject(String arguments) {
        if (arguments.isBlank()) {
            return JsonTrees.object();
        }
        JsonNode parsed = JsonTrees.tryParse(arguments).orElse(null);
        if (parsed instanceof ObjectNode obj) {
            return obj;
        }
        ObjectNode raw = JsonTrees.object();
        raw.put("_raw", arguments);
        return raw;
    }

    /** An arguments object as JSON text. */
    public static String toText(JsonIn args) {
        if (!args.isPresent()) {
            return "{}";
        }
        if (!args.isObject()) {
            throw args.error("expected an object");
        }
        return JsonTrees.writeString(args.node());
    }
}

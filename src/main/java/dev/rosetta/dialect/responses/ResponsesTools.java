package dev.rosetta.dialect.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.internal.JsonIn;
import dev.rosetta.dialect.internal.JsonTrees;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Extensions.ToolForm;
import dev.rosetta.model.Json;
import dev.rosetta.model.ToolDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Responses tools other providers only know as functions, both ways. A {@code custom} (freeform) tool,
 * such as Codex's {@code apply_patch} with its Lark grammar, becomes a function of one string argument,
 * {@code input}, its grammar written into the description so the model knows what to write; its call
 * comes back as a {@code custom_tool_call} with that string as {@code input}. A tool inside a
 * {@code namespace} (Codex sends its tools so, in an {@code additional_tools} input item) becomes a function
 * named by its bare name, or {@code namespace__name} (Codex's own flat spelling) when the bare name is
 * taken; its call comes back split into {@code namespace} and {@code name}, as OpenAI answers it.
 */
final class ResponsesTools {
    private static final String FLAT_DELIMITER = "__";

    private final List<ToolDefinition> definitions = new ArrayList<>();
    private final Map<String, ToolForm> forms = new LinkedHashMap<>();
    private final Map<String, String> neutralNames = new HashMap<>();

    private record Entry(JsonIn declaration, Optional<String> namespace) {
    }

    /** The tools of {@code lists} (the top-level {@code tools} and each {@code additional_tools} item's). */
    static ResponsesTools decode(List<List<JsonIn>> lists, DropLog dropped) {
        List<Entry> entries = new ArrayList<>();
        for (List<JsonIn> list : lists) {
            for (JsonIn t : list) {
                switch (t.string("type")) {
                    case "function", "custom" -> entries.add(new Entry(t, Optional.empty()));
                    case "namespace" -> {
                        String ns = t.string("name");
                        for (JsonIn inner : t.optArray("tools")) {
                            String type = inner.string("type");
                            if (type.equals("function") || type.equals("custom")) {
                                entries.add(new Entry(inner, Optional.of(ns)));
                            } else {
                                dropped.add(inner.path());
                            }
                        }
                    }
                    default -> dropped.add(t.path());
                }
            }
        }
        Map<String, Integer> bare = new HashMap<>();
        entries.forEach(e -> bare.merge(e.declaration().string("name"), 1, Integer::sum));
        ResponsesTools out = new ResponsesTools();
        for (Entry e : entries) {
            out.add(e, bare.get(e.declaration().string("name")) > 1);
        }
        return out;
    }

    private void add(Entry e, boolean nameTaken) {
        JsonIn t = e.declaration();
        String name = t.string("name");
        String neutral = e.namespace().filter(ns -> nameTaken).map(ns -> flat(ns, name)).orElse(name);
        boolean freeform = t.string("type").equals("custom");
        neutralNames.put(key(e.namespace(), name), neutral);
        if (freeform || e.namespace().isPresent()) {
            forms.put(neutral, new ToolForm(name, e.namespace(), freeform));
        }
        if (freeform) {
            definitions.add(new ToolDefinition(neutral, Optional.of(freeformDescription(t)),
                    Optional.of(FREEFORM_SCHEMA), Optional.empty(), Optional.empty()));
        } else {
            definitions.add(new ToolDefinition(neutral, t.optString("description"),
                    t.opt("parameters").map(JsonIn::toJson), t.optBool("strict"), Optional.empty()));
        }
    }

    List<ToolDefinition> definitions() {
        return definitions;
    }

    Map<String, ToolForm> forms() {
        return forms;
    }

    /** The neutral name of a call to {@code name} (in {@code namespace}) read from the client's history. */
    String neutralName(Optional<String> namespace, String name) {
        String known = neutralNames.get(key(namespace, name));
        return known != null ? known : namespace.map(ns -> flat(ns, name)).orElse(name);
    }

    /** A freeform call's raw input as the neutral function's JSON arguments. */
    static String freeformArguments(String input) {
        return JsonTrees.writeString(JsonTrees.object().put(ToolForm.FREEFORM_ARGUMENT, input));
    }

    /**
     * A freeform call's raw input from the neutral function's arguments; arguments that are not the expected
     * object (a model that ignored the schema) are passed on as they are rather than lost.
     */
    static String freeformInput(String arguments) {
        return JsonTrees.tryParse(arguments).map(n -> n.get(ToolForm.FREEFORM_ARGUMENT))
                .filter(JsonNode::isTextual).map(JsonNode::asText).orElse(arguments);
    }

    /**
     * The output item of a call as the client declared its tool: {@code function_call}, or
     * {@code custom_tool_call}, with the namespace split off. {@code input} is the freeform input so far, or
     * empty for a call still streaming; {@code status} is the function call's (custom calls have none).
     */
    static ObjectNode callItem(ContentBlock.ToolCall c, Map<String, ToolForm> forms, String input, String status) {
        ToolForm form = forms.get(c.name());
        if (form != null && form.freeform()) {
            ObjectNode item = JsonTrees.object().put("type", "custom_tool_call").put("id", "ctc_" + c.id())
                    .put("call_id", c.id());
            form.namespace().ifPresent(ns -> item.put("namespace", ns));
            return item.put("name", form.name()).put("input", input);
        }
        ObjectNode item = JsonTrees.object().put("type", "function_call").put("id", "fc_" + c.id())
                .put("call_id", c.id());
        if (form != null) {
            form.namespace().ifPresent(ns -> item.put("namespace", ns));
        }
        return item.put("name", form != null ? form.name() : c.name()).put("arguments", c.arguments())
                .put("status", status);
    }

    static boolean isFreeform(ContentBlock.ToolCall c, Map<String, ToolForm> forms) {
        ToolForm form = forms.get(c.name());
        return form != null && form.freeform();
    }

    private static String freeformDescription(JsonIn t) {
        StringBuilder sb = new StringBuilder(t.optString("description").orElse(""));
        t.opt("format").filter(f -> f.optString("type").orElse("text").equals("grammar")).ifPresent(f -> {
            if (!sb.isEmpty()) {
                sb.append("\n\n");
            }
            sb.append("Pass the tool's raw input as the `").append(ToolForm.FREEFORM_ARGUMENT)
                    .append("` string. It must match this ").append(f.optString("syntax").orElse("lark"))
                    .append(" grammar:\n").append(f.optString("definition").orElse(""));
        });
        return sb.toString();
    }

    private static final Json FREEFORM_SCHEMA = freeformSchema();

    private static Json freeformSchema() {
        Map<String, Json> input = new LinkedHashMap<>();
        input.put("type", Json.of("string"));
        input.put("description", Json.of("The tool's raw input, as plain text."));
        Map<String, Json> schema = new LinkedHashMap<>();
        schema.put("type", Json.of("object"));
        schema.put("properties", new Json.Obj(Map.of(ToolForm.FREEFORM_ARGUMENT, new Json.Obj(input))));
        schema.put("required", new Json.Arr(List.of(Json.of(ToolForm.FREEFORM_ARGUMENT))));
        schema.put("additionalProperties", new Json.Bool(false));
        return new Json.Obj(schema);
    }

    /** Codex's {@code ToolName::canonical_flat_name}. */
    private static String flat(String namespace, String name) {
        return namespace.replaceAll("_+$", "") + FLAT_DELIMITER + name.replaceAll("^_+", "");
    }

    private static String key(Optional<String> namespace, String name) {
        return namespace.orElse("") + "\u0000" + name;
    }
}

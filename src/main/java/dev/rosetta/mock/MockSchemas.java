package dev.rosetta.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.Dialect;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON schemas of a request as the mock sees them: the structured output it asks for, answered
 * with the simplest instance of that schema (so a client that parses JSON, such as a coding agent's
 * router, gets JSON), and a check that OpenAI and Anthropic requests name only JSON Schema types, as
 * those providers refuse anything else (Gemini's own {@code responseSchema} spells them upper-case).
 */
final class MockSchemas {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Set<String> JSON_SCHEMA_TYPES = Set.of("string", "number", "integer", "boolean", "object",
            "array", "null");
    private static final int MAX_DEPTH = 16;

    private MockSchemas() {
    }

    /**
     * The structured output asked for: the schema, or an object schema when plain JSON is asked for
     * without one; empty when the answer is free text.
     */
    static Optional<JsonNode> responseSchema(Dialect dialect, JsonNode request) {
        JsonNode format = switch (dialect) {
            case OPENAI_CHAT -> request.path("response_format");
            case OPENAI_RESPONSES -> request.path("text").path("format");
            case ANTHROPIC -> request.path("output_config").path("format");
            case GEMINI -> {
                JsonNode g = request.path("generationConfig");
                if (!g.path("responseMimeType").asText("").equals("application/json")) {
                    yield F.missingNode();
                }
                JsonNode schema = g.has("responseJsonSchema") ? g.get("responseJsonSchema") : g.path("responseSchema");
                yield F.objectNode().put("type", "json_schema").set("schema", schema);
            }
        };
        return switch (format.path("type").asText("")) {
            case "json_schema" -> {
                JsonNode schema = dialect == Dialect.OPENAI_CHAT ? format.path("json_schema").path("schema")
                        : format.path("schema");
                yield Optional.of(schema.isObject() && !schema.isEmpty() ? schema : anyObject());
            }
            case "json_object" -> Optional.of(anyObject());
            default -> Optional.empty();
        };
    }

    private static JsonNode anyObject() {
        return F.objectNode().put("type", "object");
    }

    /**
     * The JSON path of the first {@code type} that is not a JSON Schema type name in the request's
     * response schema or tool parameters; checked for the OpenAI and Anthropic dialects only.
     */
    static Optional<String> invalidType(Dialect dialect, JsonNode request) {
        return switch (dialect) {
            case OPENAI_CHAT -> firstInvalid(request.path("response_format").path("json_schema").path("schema"),
                    "$.response_format.json_schema.schema")
                    .or(() -> inTools(request.path("tools"), "$.tools", t -> t.path("function").path("parameters"),
                            ".function.parameters"));
            case OPENAI_RESPONSES -> firstInvalid(request.path("text").path("format").path("schema"),
                    "$.text.format.schema")
                    .or(() -> inTools(request.path("tools"), "$.tools", t -> t.path("parameters"), ".parameters"));
            case ANTHROPIC -> firstInvalid(request.path("output_config").path("format").path("schema"),
                    "$.output_config.format.schema")
                    .or(() -> inTools(request.path("tools"), "$.tools", t -> t.path("input_schema"), ".input_schema"));
            case GEMINI -> Optional.empty();
        };
    }

    private static Optional<String> inTools(JsonNode tools, String path,
            java.util.function.Function<JsonNode, JsonNode> schemaOf, String suffix) {
        for (int i = 0; i < tools.size(); i++) {
            Optional<String> bad = firstInvalid(schemaOf.apply(tools.get(i)), path + "[" + i + "]" + suffix);
            if (bad.isPresent()) {
                return bad;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> firstInvalid(JsonNode node, String path) {
        return firstInvalid(node, path, 0);
    }

    private static Optional<String> firstInvalid(JsonNode node, String path, int depth) {
        if (depth > MAX_DEPTH || !node.isContainerNode()) {
            return Optional.empty();
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Optional<String> bad = firstInvalid(node.get(i), path + "[" + i + "]", depth + 1);
                if (bad.isPresent()) {
                    return bad;
                }
            }
            return Optional.empty();
        }
        JsonNode type = node.path("type");
        if (type.isTextual() && !JSON_SCHEMA_TYPES.contains(type.asText())) {
            return Optional.of(path + ".type");
        }
        for (int i = 0; type.isArray() && i < type.size(); i++) {
            if (!JSON_SCHEMA_TYPES.contains(type.get(i).asText())) {
                return Optional.of(path + ".type[" + i + "]");
            }
        }
        // Only keywords that hold schemas are walked: a property may well be named "type".
        for (String key : new String[] {"items", "additionalProperties", "anyOf", "oneOf", "allOf", "not"}) {
            Optional<String> bad = firstInvalid(node.path(key), path + "." + key, depth + 1);
            if (bad.isPresent()) {
                return bad;
            }
        }
        for (String key : new String[] {"properties", "$defs", "definitions"}) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.path(key).fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                Optional<String> bad = firstInvalid(f.getValue(), path + "." + key + "." + f.getKey(), depth + 1);
                if (bad.isPresent()) {
                    return bad;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The simplest value the schema describes: an enum's or const's first value, every property of an
     * object, the fewest items an array allows, "mock" for a string, a number's minimum (else 1), false.
     * Type names are read case-insensitively, so Gemini's upper-case ones work too.
     */
    static JsonNode instance(JsonNode schema) {
        return instance(schema, 0);
    }

    private static JsonNode instance(JsonNode schema, int depth) {
        if (depth > MAX_DEPTH || !schema.isObject()) {
            return F.nullNode();
        }
        if (schema.path("enum").isArray() && !schema.path("enum").isEmpty()) {
            return schema.path("enum").get(0);
        }
        if (schema.has("const")) {
            return schema.get("const");
        }
        for (String key : new String[] {"anyOf", "oneOf"}) {
            if (schema.path(key).isArray() && !schema.path(key).isEmpty()) {
                return instance(schema.path(key).get(0), depth + 1);
            }
        }
        String type = typeOf(schema);
        return switch (type) {
            case "object" -> {
                ObjectNode o = F.objectNode();
                schema.path("properties").fields()
                        .forEachRemaining(f -> o.set(f.getKey(), instance(f.getValue(), depth + 1)));
                yield o;
            }
            case "array" -> {
                var a = F.arrayNode();
                for (int i = 0; i < schema.path("minItems").asInt(0); i++) {
                    a.add(instance(schema.path("items"), depth + 1));
                }
                yield a;
            }
            case "string" -> F.textNode("mock");
            case "integer" -> F.numberNode(schema.has("minimum") ? (long) Math.ceil(schema.get("minimum").asDouble()) : 1L);
            case "number" -> F.numberNode(schema.has("minimum") ? schema.get("minimum").asDouble() : 1.0);
            case "boolean" -> F.booleanNode(false);
            default -> F.nullNode();
        };
    }

    private static String typeOf(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (!t.asText().equalsIgnoreCase("null")) {
                    return t.asText().toLowerCase(Locale.ROOT);
                }
            }
            return "null";
        }
        if (type.isTextual()) {
            return type.asText().toLowerCase(Locale.ROOT);
        }
        return schema.has("properties") ? "object" : "";
    }
}

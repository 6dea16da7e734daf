package dev.rosetta.dialect.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.error.GatewayError;
import dev.rosetta.error.GatewayException;
import dev.rosetta.model.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON node that knows its path ({@code $.messages[2].content}), so every type or presence check
 * fails with a {@link GatewayException} naming the field instead of a null or a Jackson exception.
 */
public final class JsonIn {
    private final JsonNode node;
    private final String path;

    private JsonIn(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The root object of a body; malformed JSON or a non-object fails at {@code $}. */
    public static JsonIn parse(byte[] json) {
        JsonNode root = JsonTrees.readTree(json);
        if (!root.isObject()) {
            throw invalid("expected a JSON object", "$");
        }
        return new JsonIn(root, "$");
    }

    public static GatewayException invalid(String message, String path) {
        return GatewayError.invalid(message, path).toException();
    }

    public GatewayException error(String message) {
        return invalid(message, path);
    }

    public String path() {
        return path;
    }

    public JsonNode node() {
        return node;
    }

    /** Present and not JSON null. */
    public boolean has(String name) {
        JsonNode child = node.get(name);
        return child != null && !child.isNull();
    }

    /** The member, which may be missing (check {@link #isPresent()}). */
    public JsonIn get(String name) {
        JsonNode child = node.isObject() ? node.get(name) : null;
        return new JsonIn(child == null ? MissingNode.getInstance() : child, path + "." + name);
    }

    public Optional<JsonIn> opt(String name) {
        return has(name) ? Optional.of(get(name)) : Optional.empty();
    }

    public JsonIn require(String name) {
        if (!node.isObject()) {
            throw error("expected an object");
        }
        if (!has(name)) {
            throw invalid("missing required field", path + "." + name);
        }
        return get(name);
    }

    public boolean isPresent() {
        return !node.isMissingNode() && !node.isNull();
    }

    public boolean isString() {
        return node.isTextual();
    }

    public boolean isArray() {
        return node.isArray();
    }

    public boolean isObject() {
        return node.isObject();
    }

    public String text() {
        if (!node.isTextual()) {
            throw error("expected a string");
        }
        return node.textValue();
    }

    public String string(String name) {
        return require(name).text();
    }

    public Optional<String> optString(String name) {
        return opt(name).map(JsonIn::text);
    }

    public Optional<Integer> optInt(String name) {
        return opt(name).map(n -> {
            if (!n.node.canConvertToInt() || !n.node.isIntegralNumber()) {
                throw n.error("expected an integer");
            }
            return n.node.intValue();
        });
    }

    public Optional<Long> optLong(String name) {
        return opt(name).map(n -> {
            if (!n.node.isIntegralNumber() || !n.node.canConvertToLong()) {
                throw n.error("expected an integer");
            }
            return n.node.longValue();
        });
    }

    public long longOr(String name, long fallback) {
        return optLong(name).orElse(fallback);
    }

    public Optional<Double> optDouble(String name) {
        return opt(name).map(n -> {
            if (!n.node.isNumber()) {
                throw n.error("expected a number");
            }
            return n.node.doubleValue();
        });
    }

    public Optional<Boolean> optBool(String name) {
        return opt(name).map(n -> {
            if (!n.node.isBoolean()) {
                throw n.error("expected a boolean");
            }
            return n.node.booleanValue();
        });
    }

    public List<JsonIn> array() {
        if (!node.isArray()) {
            throw error("expected an array");
        }
        List<JsonIn> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(new JsonIn(node.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    /** The array member, or an empty list when absent. */
    public List<JsonIn> optArray(String name) {
        return has(name) ? get(name).array() : List.of();
    }

    public JsonIn object() {
        if (!node.isObject()) {
            throw error("expected an object");
        }
        return this;
    }

    /** The members of an object, in order. */
    public Map<String, JsonIn> fields() {
        object();
        Map<String, JsonIn> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), new JsonIn(e.getValue(), path + "." + e.getKey()));
        }
        return out;
    }

    public Json toJson() {
        return JsonTrees.toJson(node);
    }

    /** Records every member not in {@code known} as dropped. */
    public void dropUnknown(Set<String> known, DropLog dropped) {
        if (!node.isObject()) {
            return;
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                dropped.add(path + "." + f);
            }
        });
    }
}

package dev.rosetta.dialect.gemini;

import dev.rosetta.model.Json;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * JSON Schema ↔ the OpenAPI subset Gemini accepts in {@code parameters} and {@code responseSchema}
 * (mapping.md §4). Keywords are rewritten only at schema positions: the keys of a {@code properties}
 * map are names, so a property called {@code properties} or {@code type} survives. Constraints
 * Gemini cannot enforce are appended to the {@code description}, so the model still reads them.
 */
public final class GeminiSchemas {
    private static final Set<String> KEPT = Set.of("type", "title", "description", "nullable", "minItems",
            "maxItems", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "minimum", "maximum",
            "default", "example", "propertyOrdering");
    private static final Set<String> STRING_FORMATS = Set.of("enum", "date-time");
    private static final Set<String> NUMBER_FORMATS = Set.of("int32", "int64", "float", "double");
    private static final Json.Obj OBJECT = new Json.Obj(Map.of("type", Json.of("object")));

    private GeminiSchemas() {
    }

    /** A JSON Schema rewritten into the form Gemini accepts. */
    public static Json sanitize(Json schema) {
        Map<String, Json> defs = new LinkedHashMap<>();
        if (schema instanceof Json.Obj o) {
            for (String key : List.of("definitions", "$defs")) {
                o.get(key).flatMap(Json::asObject).ifPresent(d -> defs.putAll(d.fields()));
            }
        }
        return clean(schema, defs, new ArrayDeque<>());
    }

    private static Json clean(Json node, Map<String, Json> defs, Deque<String> resolving) {
        if (!(node instanceof Json.Obj o)) {
            return Json.Obj.empty();
        }
        Optional<String> ref = o.string("$ref");
        if (ref.isPresent()) {
            String name = ref.get().substring(ref.get().lastIndexOf('/') + 1);
            Json target = defs.get(name);
            if (target == null || resolving.contains(name) || !(target instanceof Json.Obj t)) {
                return withSiblings(OBJECT, o);
            }
            resolving.push(name);
            Json resolved = clean(withSiblings(t, o), defs, resolving);
            resolving.pop();
            return resolved;
        }
        Map<String, Json> out = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        boolean nullable = false;
        List<Json> anyOf = new ArrayList<>();
        for (Map.Entry<String, Json> e : o.fields().entrySet()) {
            String key = e.getKey();
            Json value = e.getValue();
            switch (key) {
                case "type" -> {
                    if (value instanceof Json.Arr types) {
                        List<Json> nonNull = types.items().stream().filter(t -> !t.equals(Json.of("null"))).toList();
                        nullable |= nonNull.size() < types.items().size();
                        if (nonNull.size() == 1) {
                            out.put("type", nonNull.get(0));
                        } else {
                            nonNull.forEach(t -> anyOf.add(new Json.Obj(Map.of("type", t))));
                        }
                    } else if (value.equals(Json.of("null"))) {
                        nullable = true;
                    } else {
                        out.put("type", value);
                    }
                }
                case "properties" -> value.asObject().ifPresent(props -> {
                    Map<String, Json> cleaned = new LinkedHashMap<>();
                    props.fields().forEach((name, s) -> cleaned.put(name, clean(s, defs, resolving)));
                    out.put("properties", new Json.Obj(cleaned));
                });
                case "items" -> out.put("items", clean(value instanceof Json.Arr a && !a.items().isEmpty()
                        ? a.items().get(0) : value, defs, resolving));
                case "anyOf", "oneOf" -> {
                    if (value instanceof Json.Arr branches) {
                        for (Json b : branches.items()) {
                            if (b instanceof Json.Obj bo && bo.fields().equals(Map.of("type", Json.of("null")))) {
                                nullable = true;
                            } else {
                                anyOf.add(clean(b, defs, resolving));
                            }
                        }
                    }
                }
                case "allOf" -> {
                    if (value instanceof Json.Arr parts) {
                        mergeAllOf(parts.items(), defs, resolving).fields().forEach(out::putIfAbsent);
                    }
                }
                case "const" -> {
                    if (value instanceof Json.Str) {
                        out.put("enum", new Json.Arr(List.of(value)));
                        out.putIfAbsent("type", Json.of("string"));
                    } else {
                        notes.add("must be " + render(value));
                    }
                }
                case "enum" -> enumValues(value, out);
                case "exclusiveMinimum", "exclusiveMaximum" -> {
                    if (value instanceof Json.Num n) {
                        boolean min = key.equals("exclusiveMinimum");
                        out.put(min ? "minimum" : "maximum", n);
                        notes.add("must be " + (min ? "greater" : "less") + " than " + render(n));
                    }
                }
                case "format" -> value.asString().ifPresent(f -> {
                    if (STRING_FORMATS.contains(f) || NUMBER_FORMATS.contains(f)) {
                        out.put("format", value);
                    } else {
                        notes.add("format: " + f);
                    }
                });
                case "uniqueItems" -> {
                    if (value.equals(new Json.Bool(true))) {
                        notes.add("items must be unique");
                    }
                }
                case "multipleOf" -> notes.add("must be a multiple of " + render(value));
                case "propertyNames" -> value.asObject().flatMap(p -> p.string("pattern"))
                        .ifPresent(p -> notes.add("property names must match " + p));
                case "examples" -> {
                    if (value instanceof Json.Arr ex && !ex.items().isEmpty() && !o.has("example")) {
                        out.put("example", ex.items().get(0));
                    }
                }
                case "required" -> out.put("required", value);
                default -> {
                    if (KEPT.contains(key)) {
                        out.put(key, value);
                    }
                }
            }
        }
        return finish(out, notes, nullable, anyOf);
    }

    private static Json finish(Map<String, Json> out, List<String> notes, boolean nullable, List<Json> anyOf) {
        if (anyOf.size() == 1 && anyOf.get(0) instanceof Json.Obj only) {
            only.fields().forEach(out::putIfAbsent);
            anyOf.clear();
        }
        if (out.get("required") instanceof Json.Arr req) {
            Map<String, Json> props = out.get("properties") instanceof Json.Obj p ? p.fields() : Map.of();
            List<Json> kept = req.items().stream().filter(r -> r.asString().filter(props::containsKey).isPresent())
                    .toList();
            if (kept.isEmpty()) {
                out.remove("required");
            } else {
                out.put("required", new Json.Arr(kept));
            }
        }
        if (Json.of("array").equals(out.get("type")) && (!(out.get("items") instanceof Json.Obj items)
                || items.fields().isEmpty())) {
            out.put("items", new Json.Obj(Map.of("type", Json.of("string"))));
        }
        if (!notes.isEmpty()) {
            String desc = out.get("description") instanceof Json.Str d ? d.value() + " " : "";
            out.put("description", Json.of(desc + "(" + String.join("; ", notes) + ")"));
        }
        if (!anyOf.isEmpty()) {
            // Gemini rejects keywords next to anyOf, so nullability moves into the branches.
            Map<String, Json> only = new LinkedHashMap<>();
            for (String k : List.of("title", "description")) {
                Optional.ofNullable(out.get(k)).ifPresent(v -> only.put(k, v));
            }
            List<Json> branches = new ArrayList<>();
            for (Json b : anyOf) {
                Map<String, Json> branch = new LinkedHashMap<>(((Json.Obj) b).fields());
                if (nullable) {
                    branch.put("nullable", new Json.Bool(true));
                }
                branches.add(new Json.Obj(branch));
            }
            only.put("anyOf", new Json.Arr(branches));
            return new Json.Obj(only);
        }
        if (nullable) {
            out.put("nullable", new Json.Bool(true));
        }
        return new Json.Obj(out);
    }

    private static Json.Obj mergeAllOf(List<Json> parts, Map<String, Json> defs, Deque<String> resolving) {
        Map<String, Json> merged = new LinkedHashMap<>();
        Map<String, Json> props = new LinkedHashMap<>();
        List<Json> required = new ArrayList<>();
        for (Json p : parts) {
            if (clean(p, defs, resolving) instanceof Json.Obj c) {
                c.fields().forEach((k, v) -> {
                    switch (k) {
                        case "properties" -> v.asObject().ifPresent(po -> props.putAll(po.fields()));
                        case "required" -> required.addAll(((Json.Arr) v).items());
                        default -> merged.putIfAbsent(k, v);
                    }
                });
            }
        }
        if (!props.isEmpty()) {
            merged.put("properties", new Json.Obj(props));
        }
        if (!required.isEmpty()) {
            merged.put("required", new Json.Arr(required));
        }
        return new Json.Obj(merged);
    }

    private static void enumValues(Json value, Map<String, Json> out) {
        if (!(value instanceof Json.Arr values)) {
            return;
        }
        List<Json> strings = new ArrayList<>();
        for (Json v : values.items()) {
            String s = v instanceof Json.Str str ? str.value() : render(v);
            if (!s.isEmpty() && !(v instanceof Json.Null)) {
                strings.add(Json.of(s));
            }
        }
        out.put("enum", new Json.Arr(strings));
        out.put("type", Json.of("string"));
    }

    private static Json withSiblings(Json.Obj target, Json.Obj refNode) {
        Map<String, Json> merged = new LinkedHashMap<>(target.fields());
        refNode.fields().forEach((k, v) -> {
            if (!k.equals("$ref")) {
                merged.put(k, v);
            }
        });
        return new Json.Obj(merged);
    }

    private static String render(Json v) {
        return switch (v) {
            case Json.Str s -> s.value();
            case Json.Num n -> n.value().toPlainString();
            case Json.Bool b -> Boolean.toString(b.value());
            default -> v.toString();
        };
    }

    /** A Gemini schema (upper-case types, {@code nullable}) as standard JSON Schema. */
    public static Json toJsonSchema(Json schema) {
        if (!(schema instanceof Json.Obj o)) {
            return schema;
        }
        Map<String, Json> out = new LinkedHashMap<>();
        boolean nullable = o.get("nullable").filter(new Json.Bool(true)::equals).isPresent();
        o.fields().forEach((k, v) -> {
            switch (k) {
                case "type" -> {
                    Json type = v.asString().<Json>map(t -> Json.of(t.toLowerCase(Locale.ROOT))).orElse(v);
                    out.put("type", nullable ? new Json.Arr(List.of(type, Json.of("null"))) : type);
                }
                case "properties" -> v.asObject().ifPresent(p -> {
                    Map<String, Json> props = new LinkedHashMap<>();
                    p.fields().forEach((name, s) -> props.put(name, toJsonSchema(s)));
                    out.put("properties", new Json.Obj(props));
                });
                case "items" -> out.put("items", toJsonSchema(v));
                case "anyOf" -> out.put("anyOf", v instanceof Json.Arr a
                        ? new Json.Arr(a.items().stream().map(GeminiSchemas::toJsonSchema).toList()) : v);
                case "nullable", "propertyOrdering" -> { }
                default -> out.put(k, v);
            }
        });
        return new Json.Obj(out);
    }

    /**
     * A {@code responseJsonSchema} or {@code parametersJsonSchema} with Gemini's upper-case type names
     * ({@code OBJECT}, {@code STRING}) lowered. Google accepts them there and Google's own clients send them
     * (the {@code Type} enum of {@code @google/genai}); standard JSON Schema validators, OpenAI's and
     * Anthropic's among them, do not. Only schema positions are rewritten: a property named {@code type}, or
     * a value in {@code enum}, {@code const} or {@code default}, is left as it is.
     */
    public static Json lowerTypes(Json schema) {
        if (!(schema instanceof Json.Obj o)) {
            return schema;
        }
        Map<String, Json> out = new LinkedHashMap<>();
        o.fields().forEach((k, v) -> out.put(k, switch (k) {
            case "type" -> lowerTypeName(v);
            case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas" ->
                    v instanceof Json.Obj m ? schemaMap(m) : v;
            case "items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
                 "unevaluatedItems", "unevaluatedProperties", "additionalItems" -> lowerTypes(v);
            case "anyOf", "oneOf", "allOf", "prefixItems" -> v instanceof Json.Arr a
                    ? new Json.Arr(a.items().stream().map(GeminiSchemas::lowerTypes).toList()) : v;
            default -> v;
        }));
        return new Json.Obj(out);
    }

    private static Json schemaMap(Json.Obj schemas) {
        Map<String, Json> out = new LinkedHashMap<>();
        schemas.fields().forEach((name, s) -> out.put(name, lowerTypes(s)));
        return new Json.Obj(out);
    }

    private static Json lowerTypeName(Json type) {
        return switch (type) {
            case Json.Str s -> Json.of(s.value().toLowerCase(Locale.ROOT));
            case Json.Arr a -> new Json.Arr(a.items().stream().map(GeminiSchemas::lowerTypeName).toList());
            default -> type;
        };
    }

    static boolean isEmptyObject(Json schema) {
        return schema instanceof Json.Obj o && (o.fields().isEmpty()
                || (o.get("properties").flatMap(Json::asObject).map(p -> p.fields().isEmpty()).orElse(true)
                && o.get("type").filter(Json.of("object")::equals).isPresent() && !o.has("anyOf")));
    }

}

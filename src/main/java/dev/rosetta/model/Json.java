package dev.rosetta.model;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable JSON value, used where the model must carry free-form JSON: tool parameter schemas,
 * response schemas, opaque provider settings. A value type of our own (rather than a raw string or
 * a Jackson node) keeps the model free of any JSON library, lets codecs rewrite schemas (the Gemini
 * sanitizer) without re-parsing, and gives structural {@code equals} for tests. Object member order
 * is preserved, since the order of schema properties is meaningful to models.
 */
public sealed interface Json {

    Null NULL = new Null();

    record Null() implements Json {
    }

    record Bool(boolean value) implements Json {
    }

    /** A number, exactly as written (no double rounding). */
    record Num(BigDecimal value) implements Json {
        public Num {
            Objects.requireNonNull(value, "value");
        }
    }

    record Str(String value) implements Json {
        public Str {
            Objects.requireNonNull(value, "value");
        }
    }

    record Arr(List<Json> items) implements Json {
        public Arr {
            items = List.copyOf(items);
        }
    }

    record Obj(Map<String, Json> fields) implements Json {
        public Obj {
            Map<String, Json> copy = new LinkedHashMap<>(fields);
            copy.values().forEach(v -> Objects.requireNonNull(v, "field value"));
            fields = Collections.unmodifiableMap(copy);
        }

        public static Obj empty() {
            return new Obj(Map.of());
        }

        public Optional<Json> get(String key) {
            return Optional.ofNullable(fields.get(key));
        }

        public Optional<String> string(String key) {
            return get(key).flatMap(Json::asString);
        }

        public boolean has(String key) {
            return fields.containsKey(key);
        }
    }

    static Str of(String value) {
        return new Str(value);
    }

    static Num of(long value) {
        return new Num(BigDecimal.valueOf(value));
    }

    default Optional<String> asString() {
        return this instanceof Str s ? Optional.of(s.value()) : Optional.empty();
    }

    default Optional<Obj> asObject() {
        return this instanceof Obj o ? Optional.of(o) : Optional.empty();
    }
}

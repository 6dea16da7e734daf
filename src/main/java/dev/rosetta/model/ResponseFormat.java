package dev.rosetta.model;

import java.util.Objects;
import java.util.Optional;

/** The shape the output must have. */
public sealed interface ResponseFormat {

    record Text() implements ResponseFormat {
    }

    /** Any JSON object. */
    record JsonObject() implements ResponseFormat {
    }

    record JsonSchema(String name, Optional<String> description, Json schema, Optional<Boolean> strict)
            implements ResponseFormat {
        public JsonSchema {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(strict, "strict");
        }
    }
}

package dev.rosetta.model;

import java.util.Objects;
import java.util.Optional;

/**
 * A function the model may call.
 *
 * @param parameters the JSON Schema of the arguments (standard JSON Schema, lower-case types); empty
 *                   for a tool that takes no arguments
 */
public record ToolDefinition(String name, Optional<String> description, Optional<Json> parameters,
                             Optional<Boolean> strict, Optional<CacheControl> cacheControl) {
    public ToolDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(strict, "strict");
        Objects.requireNonNull(cacheControl, "cacheControl");
    }
}

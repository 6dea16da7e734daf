package dev.rosetta.config;

import java.util.Objects;

/** A credential. Its {@code toString} never reveals it, so it cannot leak into a log line or an error. */
public record Secret(String value) {

    public Secret {
        Objects.requireNonNull(value, "value");
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "Secret[empty]" : "Secret[***]";
    }
}

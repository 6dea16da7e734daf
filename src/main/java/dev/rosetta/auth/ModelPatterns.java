package dev.rosetta.auth;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which model names a tenant or key may use, written like {@code models[].name}: an exact name, or a
 * prefix ending in {@code *}. {@link #ALL} (no list given) allows every model the gateway serves.
 */
public final class ModelPatterns {

    public static final ModelPatterns ALL = new ModelPatterns(Optional.empty());

    private final Optional<List<String>> source;
    private final Set<String> exact = new HashSet<>();
    private final List<String> prefixes = new ArrayList<>();

    private ModelPatterns(Optional<List<String>> patterns) {
        this.source = patterns.map(List::copyOf);
        patterns.ifPresent(ps -> ps.forEach(p -> {
            if (p.endsWith("*")) {
                prefixes.add(p.substring(0, p.length() - 1));
            } else {
                exact.add(p);
            }
        }));
    }

    /** An allow-list; an empty list allows nothing. */
    public static ModelPatterns of(List<String> patterns) {
        return new ModelPatterns(Optional.of(patterns));
    }

    public static ModelPatterns of(Optional<List<String>> patterns) {
        return patterns.isEmpty() ? ALL : of(patterns.get());
    }

    public boolean allows(String model) {
        if (source.isEmpty() || exact.contains(model)) {
            return true;
        }
        for (String p : prefixes) {
            if (model.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Whether every name {@code pattern} matches is allowed here: how a key's list is checked to narrow its tenant's. */
    public boolean covers(String pattern) {
        if (source.isEmpty()) {
            return true;
        }
        if (!pattern.endsWith("*")) {
            return allows(pattern);
        }
        String prefix = pattern.substring(0, pattern.length() - 1);
        return prefixes.stream().anyMatch(prefix::startsWith);
    }

    /** The patterns as written; empty for {@link #ALL}. */
    public Optional<List<String>> patterns() {
        return source;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelPatterns other && source.equals(other.source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source.map(Object::toString).orElse("[*]");
    }
}

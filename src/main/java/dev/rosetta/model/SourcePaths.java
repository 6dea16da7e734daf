package dev.rosetta.model;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where in the client's request each part of a decoded request came from ({@code $.messages[0].content[1]},
 * {@code $.generationConfig.candidateCount}), so that an encoder refusing something the target cannot
 * express names it as the client wrote it, not by its place in the neutral model.
 *
 * <p>Blocks are keyed by identity, not by index: a block keeps its path when turns are merged or state
 * is put back around it, and a block made later (a fetched image, a restored call) has none, which is
 * why every lookup takes a fallback. Settings are keyed by their neutral name ({@code n}).
 *
 * <p>Not part of a request's value: every table equals every other, so two requests that say the
 * same thing are equal wherever they were read from. Immutable once built.
 */
public final class SourcePaths {
    private static final SourcePaths NONE = new SourcePaths(Map.of(), Map.of());

    private final Map<ContentBlock, String> blocks;
    private final Map<String, String> settings;

    private SourcePaths(Map<ContentBlock, String> blocks, Map<String, String> settings) {
        this.blocks = blocks;
        this.settings = settings;
    }

    /** No paths: every lookup answers its fallback. */
    public static SourcePaths none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The client path of {@code block}, if it was read from the client's request. */
    public Optional<String> of(ContentBlock block) {
        return Optional.ofNullable(blocks.get(block));
    }

    public String of(ContentBlock block, String fallback) {
        String path = blocks.get(block);
        return path != null ? path : fallback;
    }

    /** The client path of the setting with this neutral name ({@code n}), else {@code fallback}. */
    public String setting(String name, String fallback) {
        return settings.getOrDefault(name, fallback);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourcePaths;
    }

    @Override
    public int hashCode() {
        return 0;
    }

    @Override
    public String toString() {
        return "SourcePaths[" + blocks.size() + " blocks, " + settings.keySet() + "]";
    }

    /** Filled by a request decoder as it reads; one per request, not thread-safe. */
    public static final class Builder {
        private final Map<ContentBlock, String> blocks = new IdentityHashMap<>();
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {
        }

        /** Records where {@code block} was read and returns it. */
        public <B extends ContentBlock> B at(String path, B block) {
            blocks.put(block, path);
            return block;
        }

        public Builder setting(String name, String path) {
            settings.put(name, path);
            return this;
        }

        public SourcePaths build() {
            if (blocks.isEmpty() && settings.isEmpty()) {
                return NONE;
            }
            return new SourcePaths(Collections.unmodifiableMap(new IdentityHashMap<>(blocks)), Map.copyOf(settings));
        }
    }
}

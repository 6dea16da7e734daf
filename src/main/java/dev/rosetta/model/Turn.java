package dev.rosetta.model;

import java.util.List;
import java.util.Objects;

/** One turn of the conversation: a role and its blocks, in order. */
public record Turn(Role role, List<ContentBlock> content) {
    public Turn {
        Objects.requireNonNull(role, "role");
        content = List.copyOf(content);
    }

    public static Turn of(Role role, ContentBlock... blocks) {
        return new Turn(role, List.of(blocks));
    }
}

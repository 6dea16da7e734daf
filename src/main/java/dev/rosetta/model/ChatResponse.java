package dev.rosetta.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A complete (non-streamed) answer in no dialect in particular.
 *
 * @param created seconds since the epoch
 * @param stopSequence the stop sequence that ended generation, when the provider says which
 */
public record ChatResponse(String id, String model, long created, List<ContentBlock> content, StopReason stopReason,
                           Optional<String> stopSequence, Usage usage) {
    public ChatResponse {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        content = List.copyOf(content);
        Objects.requireNonNull(stopReason, "stopReason");
        Objects.requireNonNull(stopSequence, "stopSequence");
        Objects.requireNonNull(usage, "usage");
    }

    public boolean hasToolCalls() {
        return content.stream().anyMatch(b -> b instanceof ContentBlock.ToolCall);
    }
}

package dev.rosetta.pipeline;

import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.stream.StreamEvent;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * Sees the provider's answer as the call path already has it, for a stage that keeps it (the response
 * cache): decoded where the call converts, raw where it relays. {@link #NONE} unless a stage set one on
 * the exchange, so a request without one pays a no-op call. Called on the request's event loop; must
 * not block, must not throw, and must not keep a reference to {@code chunk} (copy what it needs).
 */
public interface AnswerTap {

    AnswerTap NONE = new AnswerTap() {
    };

    /** A converted non-streaming answer, decoded from the provider's dialect (before any sealing). */
    default void answer(ChatResponse response) {
    }

    /** Events of a converted stream, as decoded from the provider (before any sealing), in order. */
    default void events(List<StreamEvent> events) {
    }

    /** Bytes of a successful answer relayed as is, in the client's dialect (same-dialect calls, the mock). */
    default void relayed(Buffer chunk) {
    }
}

package dev.rosetta.usage;

import dev.rosetta.model.Usage;
import io.vertx.core.buffer.Buffer;

/**
 * Reads token usage from a response as its bytes pass by, without changing or holding them. Called on
 * the response's event loop; never throws: an unreadable body simply yields no usage.
 */
public interface UsageTap {

    void feed(Buffer chunk);

    /** The usage seen by the end of the body. */
    Usage finish();
}

package dev.rosetta.dialect.internal;

import dev.rosetta.dialect.DropLog;
import dev.rosetta.model.Extensions;

/** The Responses-only request options, for encoders of dialects that have none of them. */
public final class ResponsesOptions {
    private ResponsesOptions() {
    }

    /**
     * Fails on {@code previous_response_id}, which only the Responses API can resolve; lists each other
     * option the client actually set under its own name, so a request without them reports no drop.
     */
    public static void leaveOut(Extensions.Responses r, DropLog dropped) {
        if (r.previousResponseId().isPresent()) {
            throw JsonIn.invalid("previous_response_id needs the OpenAI Responses API upstream",
                    "$.previous_response_id");
        }
        r.store().ifPresent(s -> dropped.add("store"));
        if (!r.include().isEmpty()) {
            dropped.add("include");
        }
        r.truncation().ifPresent(t -> dropped.add("truncation"));
        r.serviceTier().ifPresent(t -> dropped.add("service_tier"));
    }
}

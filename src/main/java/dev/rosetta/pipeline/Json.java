package dev.rosetta.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;

/** The gateway's one JSON factory, with limits sized for LLM requests (large base64 strings, bounded depth). */
public final class Json {

    /** Nesting deeper than this is refused; no real request comes near it. */
    public static final int MAX_DEPTH = 512;

    public static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(1000)
                    .build())
            .build();

    private Json() {
    }
}

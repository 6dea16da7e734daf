package dev.rosetta.model;

import java.util.Objects;

/** Whether and which tool the model must call. Parallel calls are {@link ChatRequest#parallelToolCalls()}. */
public sealed interface ToolChoice {

    record Auto() implements ToolChoice {
    }

    record None() implements ToolChoice {
    }

    /** Must call some tool. */
    record Required() implements ToolChoice {
    }

    /** Must call the named tool. */
    record Tool(String name) implements ToolChoice {
        public Tool {
            Objects.requireNonNull(name, "name");
        }
    }
}

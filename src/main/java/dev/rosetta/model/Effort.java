package dev.rosetta.model;

import java.util.Optional;

/**
 * Reasoning effort, with the default token budget each level maps to for providers that take a
 * budget (Anthropic {@code budget_tokens}, Gemini {@code thinkingBudget}).
 */
public enum Effort {
    NONE("none", 0),
    MINIMAL("minimal", 128),
    LOW("low", 1024),
    MEDIUM("medium", 2048),
    HIGH("high", 4096),
    XHIGH("xhigh", 16384),
    MAX("max", 32768);

    private final String wireName;
    private final int defaultBudget;

    Effort(String wireName, int defaultBudget) {
        this.wireName = wireName;
        this.defaultBudget = defaultBudget;
    }

    /** The name OpenAI ({@code reasoning_effort}) and Anthropic ({@code output_config.effort}) use. */
    public String wireName() {
        return wireName;
    }

    public int defaultBudget() {
        return defaultBudget;
    }

    public static Optional<Effort> fromWireName(String name) {
        for (Effort e : values()) {
            if (e.wireName.equalsIgnoreCase(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The effort a token budget corresponds to: 0 none, up to 1024 low, up to 8192 medium, else high. */
    public static Effort fromBudget(int budget) {
        if (budget <= 0) {
            return NONE;
        }
        if (budget <= 1024) {
            return LOW;
        }
        return budget <= 8192 ? MEDIUM : HIGH;
    }
}

package dev.rosetta.model;

import java.util.Objects;
import java.util.Optional;

/**
 * How much the model should think. A dialect that takes an effort uses {@link #effectiveEffort()},
 * one that takes a budget uses {@link #effectiveBudget()}; the one the client gave wins.
 *
 * @param includeThoughts whether the client wants reasoning text back (Gemini {@code includeThoughts},
 *                        Responses {@code reasoning.summary})
 */
public record Reasoning(Optional<Effort> effort, Optional<Integer> budgetTokens, Optional<Boolean> includeThoughts) {
    public Reasoning {
        Objects.requireNonNull(effort, "effort");
        Objects.requireNonNull(budgetTokens, "budgetTokens");
        Objects.requireNonNull(includeThoughts, "includeThoughts");
    }

    public Effort effectiveEffort() {
        return effort.orElseGet(() -> budgetTokens.map(Effort::fromBudget).orElse(Effort.MEDIUM));
    }

    public int effectiveBudget() {
        return budgetTokens.orElseGet(() -> effectiveEffort().defaultBudget());
    }

    public boolean disabled() {
        return effectiveEffort() == Effort.NONE;
    }
}

package dev.rosetta.limits;

import dev.rosetta.budget.Budget;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a key or a tenant may take: its own {@code limits}, and {@code model_limits} for the models
 * matching a name or {@code prefix*} pattern (the first matching pattern applies), each kept in
 * counters of its own beside the overall ones; and its {@code budget} in money, if it has one.
 */
public record LimitPolicy(Limits limits, List<ModelLimit> models, Optional<Budget> budget) {

    /** Limits for the models one pattern matches. */
    public record ModelLimit(String pattern, Limits limits) {
        public ModelLimit {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(limits, "limits");
        }

        boolean matches(String model) {
            return pattern.endsWith("*") ? model.startsWith(pattern.substring(0, pattern.length() - 1))
                    : model.equals(pattern);
        }
    }

    public static final LimitPolicy NONE = new LimitPolicy(Limits.NONE, List.of(), Optional.empty());

    public LimitPolicy(Limits limits, List<ModelLimit> models) {
        this(limits, models, Optional.empty());
    }

    public LimitPolicy {
        Objects.requireNonNull(limits, "limits");
        models = List.copyOf(models);
        Objects.requireNonNull(budget, "budget");
    }

    /** Neither a limit nor a budget. */
    public boolean none() {
        return limits.none() && models.isEmpty() && budget.isEmpty();
    }

    /** No rate, token or concurrency limit (a budget may still be set). */
    public boolean noLimits() {
        return limits.none() && models.isEmpty();
    }

    /** The model limit that applies to {@code model}, if any. */
    public Optional<ModelLimit> forModel(String model) {
        for (ModelLimit m : models) {
            if (m.matches(model)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}

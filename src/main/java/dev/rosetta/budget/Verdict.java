package dev.rosetta.budget;

import java.util.List;

/**
 * A budget counter store's answer to a reservation.
 *
 * @param refused the index of the first hard hold that did not fit, -1 when every hold was taken
 * @param spends each counter as it stood after the decision (a refused request takes nothing)
 * @param unavailable why the counters could not be reached; then nothing was taken
 */
public record Verdict(int refused, List<Spend> spends, java.util.Optional<String> unavailable) {

    public Verdict {
        spends = List.copyOf(spends);
    }

    public boolean granted() {
        return refused < 0 && unavailable.isEmpty();
    }
}

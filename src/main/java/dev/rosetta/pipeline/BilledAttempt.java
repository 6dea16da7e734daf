package dev.rosetta.pipeline;

import dev.rosetta.model.Usage;

/**
 * An attempt the provider bills although its answer was not the one sent: a hedge that lost the race
 * after its request had gone out (the provider read the prompt). Recorded in the ledger apart from the
 * request's own record, and counted in the request's settlement of budgets and token limits.
 *
 * @param number the attempt's number among the request's attempts ({@link Attempt#number})
 * @param usage what it is billed for, estimated: the prompt from the request body's size, no output
 *     (it was cancelled before its first event, or it would have won)
 * @param nanos from the attempt's start to its cancellation
 */
public record BilledAttempt(int number, String provider, String upstreamModel, Usage usage, long nanos) {
}

package dev.rosetta.pipeline;

/**
 * One attempt of a routed request, for the access log and the ledger.
 *
 * @param number 1 for the first attempt
 * @param target {@code provider/upstream_model}
 * @param status the provider's HTTP status (0 when none came, 200 for the committed answer)
 * @param outcome {@code ok}, or why the attempt failed
 * @param nanos from the attempt's start to its commit or failure
 */
public record Attempt(int number, String target, int status, String outcome, long nanos) {
}

package dev.rosetta.pipeline;

import dev.rosetta.error.GatewayError;

/**
 * Why an attempt failed before anything reached the client.
 *
 * @param upstreamStatus the provider's HTTP status; 0 when no response came (connect error, timeout),
 *                       2xx when the response was a stream whose first event was an error, or which stalled
 * @param error the error as the client would get it
 */
public record AttemptFailure(int upstreamStatus, GatewayError error) {
}

package dev.rosetta.limits;

/**
 * A bucket's state as a client may be told it after a decision.
 *
 * @param remaining units still available now
 * @param resetMillis until the bucket is full again (0 when it is)
 */
public record Quota(Bucket bucket, long remaining, long resetMillis) {
}

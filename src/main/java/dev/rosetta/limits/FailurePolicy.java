package dev.rosetta.limits;

/** What to do while shared counters cannot be reached ({@code limits_on_redis_failure}). */
public enum FailurePolicy {
    /** Serve the request unlimited; log once per outage and count it. */
    ALLOW,
    /** Refuse with 503 in the client's dialect. */
    DENY
}

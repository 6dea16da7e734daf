package dev.rosetta.limits;

import java.util.List;

/** A limiter's answer to a reservation. */
public sealed interface Decision {

    /** Every bucket had room; each is charged. {@code quotas} in the order of the charges. */
    record Granted(Reservation reservation, List<Quota> quotas) implements Decision {
        public Granted {
            quotas = List.copyOf(quotas);
        }
    }

    /**
     * A bucket had no room; nothing is charged.
     *
     * @param refused the first charge that did not fit
     * @param retryAfterMillis when it will fit, the other buckets allowing
     * @param neverFits the charge is larger than the whole bucket: waiting will not help
     * @param quotas the state of every bucket, in the order of the charges
     */
    record Refused(Charge refused, long retryAfterMillis, boolean neverFits, List<Quota> quotas) implements Decision {
        public Refused {
            quotas = List.copyOf(quotas);
        }
    }

    /** The counters could not be reached and the configuration says to deny ({@code limits_on_redis_failure: deny}). */
    record Unavailable(String reason) implements Decision {
    }
}

package dev.rosetta.limits;

/**
 * The limits one owner (a key, a tenant, a model, a provider) sets, as written in the configuration
 * and the admin API: {@code {rpm, tpm, tpd, concurrent}}. 0 means no limit of that kind.
 *
 * @param rpm requests per minute
 * @param tpm tokens (input + output) per minute
 * @param tpd tokens per day
 * @param concurrent requests in flight at once, streams included
 */
public record Limits(long rpm, long tpm, long tpd, long concurrent) {

    public static final Limits NONE = new Limits(0, 0, 0, 0);

    public Limits {
        if (rpm < 0 || tpm < 0 || tpd < 0 || concurrent < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
    }

    public boolean none() {
        return rpm == 0 && tpm == 0 && tpd == 0 && concurrent == 0;
    }

    public boolean countsTokens() {
        return tpm != 0 || tpd != 0;
    }
}

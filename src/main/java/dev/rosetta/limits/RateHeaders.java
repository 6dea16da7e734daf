package dev.rosetta.limits;

import dev.rosetta.dialect.Dialect;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.util.List;

/**
 * The rate-limit headers each dialect's SDKs read, from the quotas of a decision: OpenAI's
 * {@code x-ratelimit-(limit|remaining|reset)-(requests|tokens)} (reset as a duration, {@code 6m0s}),
 * Anthropic's {@code anthropic-ratelimit-(requests|tokens)-(limit|remaining|reset)} (reset as an
 * RFC 3339 time), and {@code retry-after} (seconds; with {@code retry-after-ms}, which the OpenAI and
 * Anthropic SDKs prefer) on a refusal. Gemini has no such headers; its clients get OpenAI's, and the
 * retry delay in the error body. Where several buckets count the same thing, the tightest (least
 * remaining) is shown.
 */
public final class RateHeaders {

    private RateHeaders() {
    }

    /** The remaining quota of a decision as {@code dialect}'s headers. */
    public static void write(MultiMap out, Dialect dialect, List<Quota> quotas, long nowMillis) {
        Quota requests = tightest(quotas, Bucket.Unit.REQUESTS);
        Quota tokens = tightest(quotas, Bucket.Unit.TOKENS);
        if (dialect == Dialect.ANTHROPIC) {
            anthropic(out, "requests", requests, nowMillis);
            anthropic(out, "tokens", tokens, nowMillis);
        } else {
            openAi(out, "requests", requests);
            openAi(out, "tokens", tokens);
        }
    }

    static void retryAfter(MultiMap out, Dialect dialect, long millis) {
        out.set("retry-after", Long.toString(Math.max(1, (millis + 999) / 1000)));
        if (dialect != Dialect.GEMINI) {
            out.set("retry-after-ms", Long.toString(Math.max(1, millis)));
        }
    }

    /**
     * Adds a rate-limit header relayed from a provider to {@code out}, which may already hold Rosetta's
     * own: a provider's value never silently replaces ours nor ours a provider's; the tighter stays
     * (fewer remaining, a lower limit, a later reset, a longer retry-after). A value that does not
     * parse is the provider's and wins.
     */
    public static void relay(MultiMap out, String name, String upstream) {
        String ours = out.get(name);
        if (ours == null) {
            out.add(name, upstream);
            return;
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        boolean laterWins = lower.contains("reset") || lower.startsWith("retry-after");
        int c = compare(lower, ours, upstream);
        if (c == Integer.MIN_VALUE || (laterWins ? c < 0 : c > 0)) {
            out.set(name, upstream);
        }
    }

    private static int compare(String name, String a, String b) {
        try {
            if (name.startsWith("anthropic-") && name.endsWith("-reset")) {
                return Instant.parse(a).compareTo(Instant.parse(b));
            }
            if (name.startsWith("x-ratelimit-reset-")) {
                return Long.compare(durationMillis(a), durationMillis(b));
            }
            return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
        } catch (RuntimeException e) {
            return Integer.MIN_VALUE;
        }
    }

    private static Quota tightest(List<Quota> quotas, Bucket.Unit unit) {
        Quota best = null;
        for (Quota q : quotas) {
            if (q.bucket().unit() == unit && (best == null || q.remaining() < best.remaining())) {
                best = q;
            }
        }
        return best;
    }

    private static void openAi(MultiMap out, String what, Quota q) {
        if (q != null) {
            out.set("x-ratelimit-limit-" + what, Long.toString(q.bucket().limit()));
            out.set("x-ratelimit-remaining-" + what, Long.toString(q.remaining()));
            out.set("x-ratelimit-reset-" + what, duration(q.resetMillis()));
        }
    }

    private static void anthropic(MultiMap out, String what, Quota q, long now) {
        if (q != null) {
            out.set("anthropic-ratelimit-" + what + "-limit", Long.toString(q.bucket().limit()));
            out.set("anthropic-ratelimit-" + what + "-remaining", Long.toString(q.remaining()));
            out.set("anthropic-ratelimit-" + what + "-reset",
                    Instant.ofEpochSecond((now + q.resetMillis() + 999) / 1000).toString());
        }
    }

    /** OpenAI's way of writing a reset: {@code 20ms}, {@code 1.5s}, {@code 6m0s}, {@code 1h2m3s}. */
    static String duration(long millis) {
        if (millis < 1000) {
            return millis + "ms";
        }
        long s = millis / 1000;
        long ms = millis % 1000;
        String seconds = ms == 0 ? Long.toString(s % 60) : String.format(java.util.Locale.ROOT, "%d.%03d", s % 60, ms)
                .replaceAll("0+$", "");
        if (s < 60) {
            return seconds + "s";
        }
        long m = s / 60;
        return m < 60 ? m + "m" + seconds + "s" : m / 60 + "h" + m % 60 + "m" + seconds + "s";
    }

    /** The inverse of {@link #duration}, for comparing a provider's reset with ours. */
    static long durationMillis(String d) {
        long total = 0;
        int i = 0;
        while (i < d.length()) {
            int start = i;
            while (i < d.length() && (Character.isDigit(d.charAt(i)) || d.charAt(i) == '.')) {
                i++;
            }
            double n = Double.parseDouble(d.substring(start, i));
            if (d.startsWith("ms", i)) {
                total += (long) n;
                i += 2;
            } else if (d.charAt(i) == 'h') {
                total += (long) (n * 3_600_000);
                i++;
            } else if (d.charAt(i) == 'm') {
                total += (long) (n * 60_000);
                i++;
            } else if (d.charAt(i) == 's') {
                total += (long) (n * 1000);
                i++;
            } else {
                throw new IllegalArgumentException(d);
            }
        }
        return total;
    }
}

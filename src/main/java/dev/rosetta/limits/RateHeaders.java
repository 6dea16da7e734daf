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
            anthropic(out, ANTHROPIC_REQUESTS, requests, nowMillis);
            anthropic(out, ANTHROPIC_TOKENS, tokens, nowMillis);
        } else {
            openAi(out, OPENAI_REQUESTS, requests);
            openAi(out, OPENAI_TOKENS, tokens);
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

    /**
     * A kind's three header names in one dialect, made once (Netty keeps their hash with them), and the
     * last reset time written under them: requests within the same second share the text.
     */
    private static final class Names {
        final CharSequence limit;
        final CharSequence remaining;
        final CharSequence reset;
        private volatile Stamp lastReset = new Stamp(Long.MIN_VALUE, "");

        private Names(String limit, String remaining, String reset) {
            this.limit = io.vertx.core.http.HttpHeaders.createOptimized(limit);
            this.remaining = io.vertx.core.http.HttpHeaders.createOptimized(remaining);
            this.reset = io.vertx.core.http.HttpHeaders.createOptimized(reset);
        }

        /** {@link #rfc3339} of {@code epochSecond}, from the last request's when it was the same second. */
        String resetAt(long epochSecond) {
            Stamp last = lastReset;
            if (last.epochSecond() != epochSecond) {
                last = new Stamp(epochSecond, rfc3339(epochSecond));
                lastReset = last;
            }
            return last.text();
        }
    }

    private record Stamp(long epochSecond, String text) {
    }

    private static final Names OPENAI_REQUESTS = new Names("x-ratelimit-limit-requests",
            "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests");
    private static final Names OPENAI_TOKENS = new Names("x-ratelimit-limit-tokens",
            "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens");
    private static final Names ANTHROPIC_REQUESTS = new Names("anthropic-ratelimit-requests-limit",
            "anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-reset");
    private static final Names ANTHROPIC_TOKENS = new Names("anthropic-ratelimit-tokens-limit",
            "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-reset");

    private static void openAi(MultiMap out, Names names, Quota q) {
        if (q != null) {
            out.set(names.limit, Long.toString(q.bucket().limit()));
            out.set(names.remaining, Long.toString(q.remaining()));
            out.set(names.reset, duration(q.resetMillis()));
        }
    }

    private static void anthropic(MultiMap out, Names names, Quota q, long now) {
        if (q != null) {
            out.set(names.limit, Long.toString(q.bucket().limit()));
            out.set(names.remaining, Long.toString(q.remaining()));
            out.set(names.reset, names.resetAt((now + q.resetMillis() + 999) / 1000));
        }
    }

    /**
     * {@code epochSecond} as {@link Instant#toString} writes a whole second ({@code 2026-12-01T13:22:26Z}),
     * without its formatter: this runs for every request an Anthropic client sends with limits on, twice, and
     * the formatter took about a microsecond each time. Years outside 0000–9999 go through {@code Instant}.
     */
    static String rfc3339(long epochSecond) {
        long day = Math.floorDiv(epochSecond, 86_400);
        int second = (int) Math.floorMod(epochSecond, 86_400);
        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(day);
        int year = date.getYear();
        if (year < 0 || year > 9999) {
            return Instant.ofEpochSecond(epochSecond).toString();
        }
        byte[] b = new byte[20];
        digits(b, 0, year, 4);
        b[4] = '-';
        digits(b, 5, date.getMonthValue(), 2);
        b[7] = '-';
        digits(b, 8, date.getDayOfMonth(), 2);
        b[10] = 'T';
        digits(b, 11, second / 3600, 2);
        b[13] = ':';
        digits(b, 14, second / 60 % 60, 2);
        b[16] = ':';
        digits(b, 17, second % 60, 2);
        b[19] = 'Z';
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static void digits(byte[] b, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /** OpenAI's way of writing a reset: {@code 20ms}, {@code 1.5s}, {@code 6m0s}, {@code 1h2m3s}. */
    static String duration(long millis) {
        if (millis < 1000) {
            return millis + "ms";
        }
        long s = millis / 1000;
        StringBuilder out = new StringBuilder(12);
        if (s >= 3600) {
            out.append(s / 3600).append('h');
        }
        if (s >= 60) {
            out.append(s / 60 % 60).append('m');
        }
        out.append(s % 60);
        long ms = millis % 1000;
        if (ms != 0) {
            // a fraction of a second, without trailing zeros: 1.5s, 1.25s, 1.005s
            int digits = ms % 100 == 0 ? 1 : ms % 10 == 0 ? 2 : 3;
            long shown = digits == 1 ? ms / 100 : digits == 2 ? ms / 10 : ms;
            out.append('.');
            for (int d = digits - 1; d > 0 && shown < pow10(d); d--) {
                out.append('0');
            }
            out.append(shown);
        }
        return out.append('s').toString();
    }

    private static long pow10(int d) {
        return d == 1 ? 10 : d == 2 ? 100 : 1000;
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
                total += Math.round(n * 3_600_000);
                i++;
            } else if (d.charAt(i) == 'm') {
                total += Math.round(n * 60_000);
                i++;
            } else if (d.charAt(i) == 's') {
                total += Math.round(n * 1000);
                i++;
            } else {
                throw new IllegalArgumentException(d);
            }
        }
        return total;
    }
}

package dev.rosetta.budget;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Objects;

/**
 * A key's or a tenant's budget in money, as written in the configuration and the admin API:
 * {@code budget: {usd: 50, period: day|week|month|total, timezone: UTC, soft: false}}. Periods are
 * calendar-aligned in {@code zone}: a day starts at midnight, a week on Monday, a month on its 1st;
 * {@code total} never resets.
 *
 * @param nanos the budget in billionths of a US dollar (the ledger's unit)
 * @param soft only warn when it is spent, never refuse
 */
public record Budget(long nanos, Period period, ZoneId zone, boolean soft) {

    public enum Period {
        DAY, WEEK, MONTH, TOTAL;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One period: {@code [start, end)} in epoch milliseconds; {@code end} is {@link Long#MAX_VALUE} for {@code total}. */
    public record Window(long start, long end) {
    }

    public Budget {
        if (nanos <= 0) {
            throw new IllegalArgumentException("budget must be positive: " + nanos);
        }
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(zone, "zone");
    }

    public BigDecimal usd() {
        return usd(nanos);
    }

    public static BigDecimal usd(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
    }

    private static final Window FOREVER = new Window(0, Long.MAX_VALUE);
    /** The last period computed for each period kind and zone: time-zone arithmetic once per period, not per request. */
    private static final java.util.concurrent.ConcurrentHashMap<Calendar, Window> LAST =
            new java.util.concurrent.ConcurrentHashMap<>();

    private record Calendar(Period period, ZoneId zone) {
    }

    /** The period that holds {@code nowMillis}. */
    public Window window(long nowMillis) {
        if (period == Period.TOTAL) {
            return FOREVER;
        }
        Calendar c = new Calendar(period, zone);
        Window last = LAST.get(c);
        if (last != null && nowMillis >= last.start() && nowMillis < last.end()) {
            return last;
        }
        Window w = compute(nowMillis);
        if (LAST.size() < 1024) {
            LAST.put(c, w);
        }
        return w;
    }

    private Window compute(long nowMillis) {
        ZonedDateTime now = Instant.ofEpochMilli(nowMillis).atZone(zone);
        ZonedDateTime day = now.toLocalDate().atStartOfDay(zone);
        ZonedDateTime start = switch (period) {
            case DAY -> day;
            case WEEK -> day.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(zone);
            case MONTH -> day.toLocalDate().withDayOfMonth(1).atStartOfDay(zone);
            case TOTAL -> throw new AssertionError();
        };
        ZonedDateTime end = switch (period) {
            case DAY -> start.toLocalDate().plusDays(1).atStartOfDay(zone);
            case WEEK -> start.toLocalDate().plusWeeks(1).atStartOfDay(zone);
            case MONTH -> start.toLocalDate().plusMonths(1).atStartOfDay(zone);
            case TOTAL -> throw new AssertionError();
        };
        return new Window(start.toInstant().toEpochMilli(), end.toInstant().toEpochMilli());
    }

    /** {@code $50/day (Europe/Berlin)}: how messages name it. */
    public String describe() {
        return "$" + usd().toPlainString() + (period == Period.TOTAL ? " in total" : "/" + period.wireName())
                + (zone.equals(java.time.ZoneOffset.UTC) || zone.getId().equals("UTC") ? "" : " (" + zone.getId() + ")");
    }
}

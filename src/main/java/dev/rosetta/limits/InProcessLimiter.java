package dev.rosetta.limits;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counters in this process: the default, and exact for a single replica.
 *
 * <p>Implementation notes: one small cell per bucket, each guarded by its own monitor held for a few
 * arithmetic operations (uncontended in the common case, never around I/O). A reservation charges
 * its buckets one after the other and gives back what it took if a later one refuses, so no two
 * monitors are ever held together (no lock ordering to get wrong). The price is that a request
 * refused by its second bucket briefly held room in the first; a concurrent request may then be
 * refused where it would have fitted, never admitted beyond a limit. The GCRA arithmetic is the same
 * as the Redis script's, in milliseconds as doubles, so both pass one contract suite.
 */
public final class InProcessLimiter implements Limiter {

    /** A slot frees when some request ends, which no clock predicts: suggest a second. */
    static final long CONCURRENT_RETRY_MILLIS = 1000;

    private final ConcurrentHashMap<String, Cell> cells = new ConcurrentHashMap<>();

    @Override
    public Future<Decision> reserve(List<Charge> charges, String lease, long nowMillis) {
        return Future.succeededFuture(decide(charges, lease, nowMillis));
    }

    /** The decision, synchronously: the in-process limiter never waits. */
    public Decision decide(List<Charge> charges, String lease, long now) {
        int n = charges.size();
        long[] state = new long[2 * n];
        for (int i = 0; i < n; i++) {
            Charge c = charges.get(i);
            Cell cell = cells.computeIfAbsent(c.bucket().key(), k -> new Cell());
            long retry = cell.take(c, now, state, 2 * i);
            if (retry != 0) {
                for (int j = 0; j < i; j++) {
                    Charge back = charges.get(j);
                    cells.get(back.bucket().key()).giveBack(back);
                }
                for (int j = 0; j < n; j++) {
                    if (j == i) {
                        continue;
                    }
                    Charge other = charges.get(j);
                    cells.computeIfAbsent(other.bucket().key(), k -> new Cell()).peek(other, now, state, 2 * j);
                }
                return new Decision.Refused(c, Math.max(retry, 0), retry < 0, quotas(charges, state));
            }
        }
        return new Decision.Granted(new Reservation(charges, lease), quotas(charges, state));
    }

    @Override
    public Future<Void> settle(Reservation reservation, long actualTokens, long nowMillis) {
        for (Charge c : reservation.charges()) {
            Bucket b = c.bucket();
            if (b.unit() == Bucket.Unit.TOKENS && actualTokens != c.cost()) {
                cells.get(b.key()).adjust(b, actualTokens - c.cost(), nowMillis);
            } else if (b.unit() == Bucket.Unit.CONCURRENT) {
                cells.get(b.key()).giveBack(c);
            }
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> cancel(Reservation reservation, long nowMillis) {
        for (Charge c : reservation.charges()) {
            Cell cell = cells.get(c.bucket().key());
            if (cell != null) {
                cell.giveBack(c);
            }
        }
        return Future.succeededFuture();
    }

    private static List<Quota> quotas(List<Charge> charges, long[] state) {
        List<Quota> out = new ArrayList<>(charges.size());
        for (int i = 0; i < charges.size(); i++) {
            out.add(new Quota(charges.get(i).bucket(), state[2 * i], state[2 * i + 1]));
        }
        return out;
    }

    /** A rate bucket's theoretical arrival time, or a gauge's count in flight. */
    private static final class Cell {
        private double tat;
        private long inFlight;

        /** Charges {@code c}, writing remaining and reset into {@code out}; 0 if it fit, else the wait (-1: never). */
        synchronized long take(Charge c, long now, long[] out, int at) {
            Bucket b = c.bucket();
            if (!b.rate()) {
                boolean fits = inFlight + c.cost() <= b.limit();
                if (fits) {
                    inFlight += c.cost();
                }
                out[at] = b.limit() - inFlight;
                out[at + 1] = 0;
                return fits ? 0 : c.cost() > b.limit() ? -1 : CONCURRENT_RETRY_MILLIS;
            }
            Gcra.Result r = Gcra.take(tat, c.cost(), b, now);
            if (r.retryMillis() == 0) {
                tat = r.tat();
            }
            out[at] = r.remaining();
            out[at + 1] = r.resetMillis();
            return r.retryMillis();
        }

        synchronized void peek(Charge c, long now, long[] out, int at) {
            Bucket b = c.bucket();
            if (!b.rate()) {
                out[at] = b.limit() - inFlight;
                out[at + 1] = 0;
                return;
            }
            Gcra.Result r = Gcra.take(tat, 0, b, now);
            out[at] = r.remaining();
            out[at + 1] = r.resetMillis();
        }

        synchronized void giveBack(Charge c) {
            if (c.bucket().rate()) {
                tat -= c.cost() * c.bucket().interval();
            } else {
                inFlight = Math.max(0, inFlight - c.cost());
            }
        }

        synchronized void adjust(Bucket b, long delta, long now) {
            tat = Gcra.adjust(tat, delta, b, now);
        }
    }
}

package dev.rosetta.budget;

/**
 * What one request holds against one budget: {@code cost} nano-USD reserved at admission in the
 * counter of the owner's current period, settled with the real cost when it ends.
 *
 * @param kind {@code key} or {@code tenant}
 * @param id the key's id or the tenant's name
 * @param window the period the request was admitted in: its counter, and where it settles
 * @param limit the budget in nano-USD
 * @param soft a soft budget never refuses
 * @param cost the request's estimated maximum cost, nano-USD (0 when its model has no price)
 * @param counter the counter's name, the same on every replica: {@code key:k_123:1764547200000}; made once,
 *        since a request names it several times (its lease, its settlement, its alerts)
 */
public record Hold(String kind, String id, Budget.Window window, long limit, boolean soft, long cost, String counter) {

    public Hold(String kind, String id, Budget.Window window, long limit, boolean soft, long cost) {
        this(kind, id, window, limit, soft, cost, counter(kind, id, window));
    }

    /** The last counter named for each owner id: its period's requests share one name. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Hold> LAST =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The counter's name, the same instance for every request of one owner in one period: the leases and
     * settlements look counters up by name, and a name made afresh for each request is hashed and compared
     * character by character each time, where the same instance is found by its cached hash and {@code ==}.
     */
    private static String counter(String kind, String id, Budget.Window window) {
        Hold last = LAST.get(id);
        if (last != null && last.window().start() == window.start() && last.kind().equals(kind)) {
            return last.counter();
        }
        String counter = kind + ":" + id + ":" + window.start();
        if (LAST.size() >= 100_000) {
            LAST.clear(); // owners come and go: bounded, at worst a name made again
        }
        LAST.put(id, new Hold(kind, id, window, 0, false, 0, counter));
        return counter;
    }
}

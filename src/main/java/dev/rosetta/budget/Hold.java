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
        this(kind, id, window, limit, soft, cost, kind + ":" + id + ":" + window.start());
    }
}

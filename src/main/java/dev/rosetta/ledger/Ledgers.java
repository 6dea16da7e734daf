package dev.rosetta.ledger;

import dev.rosetta.config.GatewayConfig;
import java.time.Clock;
import java.time.Duration;

/** The ledger a gateway runs, built from its configuration. */
public final class Ledgers {

    /** Records the queue holds while the writer is busy: a few seconds of heavy traffic. */
    static final int QUEUE = 65_536;
    /** How often a spool is offered back to a store that failed. */
    static final Duration RETRY = Duration.ofSeconds(1);

    private Ledgers() {
    }

    /**
     * The ledger over the configured store, not yet started: start it once the store is migrated (its
     * first act is replaying a spool left by an earlier run).
     */
    public static Ledger open(GatewayConfig config) {
        var l = config.ledger();
        return new Ledger(new JdbcLedgerStore(config.auth().store()), PriceTable.withOverrides(l.prices()), l.spool(),
                l.spoolMaxBytes(), QUEUE, l.retention(), RETRY, Clock.systemUTC());
    }
}

package dev.rosetta.route;

import dev.rosetta.config.GatewayConfig;
import dev.rosetta.ledger.PriceTable;
import java.time.Clock;

/**
 * The routing table and the health of its targets, shared by every event loop. The table is an
 * immutable snapshot: a request routes on the one it started with.
 */
public final class RoutingState {

    private final Health health;
    private final Delays delays;
    private volatile Routing routing;

    public RoutingState(GatewayConfig config, Clock clock, Delays delays) {
        this.health = new Health(config.routing(), clock);
        this.delays = delays;
        this.routing = new Routing(config, PriceTable.withOverrides(config.ledger().prices()));
    }

    public Routing routing() {
        return routing;
    }

    public Health health() {
        return health;
    }

    public Delays delays() {
        return delays;
    }
}

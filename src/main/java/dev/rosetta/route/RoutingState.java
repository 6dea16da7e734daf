package dev.rosetta.route;

import dev.rosetta.config.ConfigException;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.ledger.PriceTable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model table, the routing table and the health of its targets, shared by every event loop, and
 * their reload. Each table is an immutable snapshot swapped whole: a request routes on the one it
 * started with. Health (breakers, latency, rests, key pools) survives a reload for the targets and
 * providers that still exist.
 *
 * <p>A reload reads and validates the whole file first; with any problem nothing changes. It applies
 * {@code models} (targets, strategies, retry, timeouts, fallbacks) and {@code routing}. Provider
 * definitions (URLs, keys) take effect on restart: a file that changes them is refused as a whole, so
 * no model can name a provider the running gateway does not have. Other sections that differ (limits,
 * auth, ledger, server settings) are reported as waiting for a restart.
 */
public final class RoutingState {

    private static final Logger LOG = LoggerFactory.getLogger(RoutingState.class);

    /** What a reload did. */
    public record Reloaded(boolean applied, List<String> problems, List<String> waitingForRestart) {
    }

    private final GatewayConfig started;
    private final ModelRoutes routes;
    private final Health health;
    private final Delays delays;
    private final PriceTable prices;
    private volatile Routing routing;
    private volatile Supplier<GatewayConfig> source;

    public RoutingState(GatewayConfig config, ModelRoutes routes, Clock clock, Delays delays) {
        this.started = config;
        this.routes = routes;
        this.health = new Health(config.routing(), clock);
        this.delays = delays;
        this.prices = PriceTable.withOverrides(config.ledger().prices());
        this.routing = new Routing(config, prices);
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

    /** Where {@link #reload()} reads the configuration (the file the gateway started from); it may throw {@link ConfigException}. */
    public void source(Supplier<GatewayConfig> file) {
        this.source = file;
    }

    /** Reads the configuration again and applies it if it is valid. Blocking (reads a file): not on an event loop. */
    public synchronized Reloaded reload() {
        Supplier<GatewayConfig> s = source;
        if (s == null) {
            return log(new Reloaded(false, List.of("the gateway was started without a configuration file: nothing to reload"),
                    List.of()));
        }
        GatewayConfig next;
        try {
            next = s.get();
        } catch (ConfigException e) {
            return log(new Reloaded(false, e.problems(), List.of()));
        } catch (RuntimeException e) {
            return log(new Reloaded(false, List.of("cannot read the configuration: " + e.getMessage()), List.of()));
        }
        return log(apply(next));
    }

    /** Applies a configuration already validated. */
    public synchronized Reloaded apply(GatewayConfig next) {
        if (!started.providers().equals(next.providers()) || !started.routing().keyPools().equals(next.routing().keyPools())) {
            return new Reloaded(false, List.of("providers: changed; provider definitions and keys take effect on restart "
                    + "(nothing was applied)"), List.of());
        }
        List<String> waiting = new ArrayList<>();
        if (!started.server().withPort(0).equals(next.server().withPort(0))) {
            waiting.add("server settings");
        }
        if (!Objects.equals(started.stateSecret(), next.stateSecret())) {
            waiting.add("state_secret");
        }
        if (!started.auth().equals(next.auth())) {
            waiting.add("auth, tenants and keys");
        }
        if (!started.ledger().equals(next.ledger())) {
            waiting.add("prices and ledger");
        }
        if (!started.limiter().equals(next.limiter())) {
            waiting.add("limits");
        }
        Routing table = new Routing(next, prices);
        health.reconfigure(next.routing());
        routes.replace(next);
        routing = table;
        health.retainTargets(table.targetIds());
        return new Reloaded(true, List.of(), waiting);
    }

    private static Reloaded log(Reloaded r) {
        if (r.applied()) {
            LOG.info("configuration reloaded{}", r.waitingForRestart().isEmpty() ? ""
                    : "; waiting for a restart: " + String.join(", ", r.waitingForRestart()));
        } else {
            LOG.warn("configuration not reloaded, the running one is kept: {}", String.join("; ", r.problems()));
        }
        return r;
    }
}

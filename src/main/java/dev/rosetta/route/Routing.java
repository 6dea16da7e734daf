package dev.rosetta.route;

import dev.rosetta.config.GatewayConfig;
import dev.rosetta.config.ModelConfig;
import dev.rosetta.config.ModelGroupConfig;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.config.StreamConfig;
import dev.rosetta.ledger.PriceTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every model entry as a group of targets, compiled once per configuration. Entries that need no
 * routing (one provider, no retry, timeouts, fallbacks or key pool) are not routed at all: they cost
 * nothing more than before; they are kept as groups of one to serve as fallbacks.
 */
public final class Routing {

    private final Map<String, ModelGroup> groups = new HashMap<>();
    private final Set<String> routed = new HashSet<>();

    public Routing(GatewayConfig config, PriceTable prices) {
        Map<String, ProviderConfig> providers = new HashMap<>();
        config.providers().forEach(p -> providers.put(p.name(), p));
        StreamConfig server = config.server().stream();
        for (ModelConfig m : config.models()) {
            Optional<ModelGroupConfig> g = Optional.ofNullable(config.routing().groups().get(m.name()));
            List<Target> targets = new ArrayList<>();
            String pattern = m.name().endsWith("*") && m.upstreamModel().equals(m.name()) ? "" : m.upstreamModel();
            if (g.isEmpty()) {
                targets.add(new Target(providers.get(m.provider()), pattern, 1, Double.MAX_VALUE));
                groups.put(m.name(), new ModelGroup(m, targets, ModelGroupConfig.Strategy.ORDERED,
                        ModelGroupConfig.Retry.DEFAULT, ModelGroupConfig.Timeouts.NONE, null, Optional.empty(),
                        List.of(), List.of()));
                continue;
            }
            ModelGroupConfig c = g.get();
            for (ModelGroupConfig.Target t : c.targets()) {
                ProviderConfig p = providers.get(t.provider());
                if (p == null) {
                    continue; // reported by the configuration reader
                }
                String upstream = t.upstreamModel().orElse(c.targets().size() == 1 ? pattern
                        : m.name().endsWith("*") ? "" : m.name());
                double cost = (upstream.isEmpty() ? Optional.<dev.rosetta.ledger.Price>empty() : prices.find(upstream))
                        .map(price -> price.rates().input().add(price.rates().output()).doubleValue())
                        .or(t::cost).orElse(Double.MAX_VALUE);
                targets.add(new Target(p, upstream, t.weight(), cost));
            }
            ModelGroupConfig.Timeouts to = c.timeouts();
            StreamConfig streams = to.firstToken().isEmpty() && to.idle().isEmpty() ? null
                    : new StreamConfig(to.firstToken().orElse(server.firstByteTimeout()),
                            to.idle().orElse(server.idleTimeout()), server.keepAlive());
            groups.put(m.name(), new ModelGroup(m, targets, c.strategy(), c.retry(), to, streams, c.hedge(),
                    c.contextWindowFallbacks(), c.contentPolicyFallbacks()));
            routed.add(m.name());
        }
    }

    /** The group a route's model entry belongs to when it is routed; null for a plain entry. */
    public ModelGroup routed(Route route) {
        return routed.contains(route.model().name()) ? groups.get(route.model().name()) : null;
    }

    Optional<ModelGroup> group(String entryName) {
        return Optional.ofNullable(groups.get(entryName));
    }

    /** The ids of every target some routed model names. */
    public Set<String> targetIds() {
        Set<String> ids = new HashSet<>();
        routed.forEach(n -> groups.get(n).targets().forEach(t -> ids.add(t.id())));
        return ids;
    }
}

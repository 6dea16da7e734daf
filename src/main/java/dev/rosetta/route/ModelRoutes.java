package dev.rosetta.route;

import dev.rosetta.config.GatewayConfig;
import dev.rosetta.config.ModelConfig;
import dev.rosetta.config.ProviderConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model table, compiled once from the configuration. Exact names win; a name ending in {@code *}
 * matches any model with that prefix (longest prefix first) and sends the client's name upstream.
 * A reload swaps the whole table at once ({@link #replace}).
 */
public final class ModelRoutes {

    private record Pattern(String prefix, ModelConfig model, ProviderConfig provider) {
    }

    /** One configuration's table; replaced whole on reload, so a lookup sees one table or the other. */
    private record Table(Map<String, Route> exact, List<Pattern> patterns, List<Route> listed) {
    }

    private volatile Table table;

    public ModelRoutes(GatewayConfig config) {
        this.table = compile(config);
    }

    /** Serves {@code config}'s models from now on; requests already routed keep the route they found. */
    public void replace(GatewayConfig config) {
        this.table = compile(config);
    }

    private static Table compile(GatewayConfig config) {
        Map<String, Route> exact = new HashMap<>();
        List<Pattern> patterns = new ArrayList<>();
        List<Route> listed = new ArrayList<>();
        Map<String, ProviderConfig> providers = new HashMap<>();
        config.providers().forEach(p -> providers.put(p.name(), p));
        for (ModelConfig m : config.models()) {
            ProviderConfig p = providers.get(m.provider());
            if (m.name().endsWith("*")) {
                patterns.add(new Pattern(m.name().substring(0, m.name().length() - 1), m, p));
            } else {
                Route r = new Route(m.name(), p, m.upstreamModel(), m);
                exact.put(m.name(), r);
                listed.add(r);
            }
        }
        patterns.sort(Comparator.comparingInt((Pattern x) -> x.prefix().length()).reversed());
        return new Table(exact, List.copyOf(patterns), List.copyOf(listed));
    }

    public Optional<Route> find(String model) {
        Table t = table;
        Route r = t.exact().get(model);
        if (r != null) {
            return Optional.of(r);
        }
        for (Pattern p : t.patterns()) {
            if (model.startsWith(p.prefix())) {
                String upstream = p.model().upstreamModel().equals(p.model().name()) ? model : p.model().upstreamModel();
                return Optional.of(new Route(model, p.provider(), upstream, p.model()));
            }
        }
        return Optional.empty();
    }

    /** The models with an exact name, in configuration order, for the models-list endpoints. */
    public List<Route> listed() {
        return table.listed();
    }
}

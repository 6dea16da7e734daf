package dev.rosetta.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.Set;

/** The {@code metrics} and {@code traces} sections, problems reported through the {@link ConfigLoader}. */
final class ObservabilityConfigReader {

    private static final Set<String> METRICS_KEYS = Set.of("enabled", "port", "tenant_labels");
    private static final Set<String> TRACES_KEYS = Set.of("endpoint", "sampling", "capture_content", "service_name");

    private final ConfigLoader loader;

    ObservabilityConfigReader(ConfigLoader loader) {
        this.loader = loader;
    }

    ObservabilityConfig read(JsonNode root) {
        return new ObservabilityConfig(metrics(root.get("metrics")), traces(root.get("traces")));
    }

    private ObservabilityConfig.Metrics metrics(JsonNode m) {
        if (m == null || m.isNull()) {
            return ObservabilityConfig.Metrics.DEFAULT;
        }
        if (m.isBoolean()) {
            return m.booleanValue() ? ObservabilityConfig.Metrics.DEFAULT : ObservabilityConfig.Metrics.OFF;
        }
        if (!m.isObject()) {
            loader.problem("metrics: expected true, false or a mapping {enabled, port, tenant_labels}");
            return ObservabilityConfig.Metrics.DEFAULT;
        }
        loader.unknownKeys(m, "metrics.", METRICS_KEYS);
        Optional<Integer> port = Optional.empty();
        JsonNode p = m.get("port");
        if (p != null && !p.isNull()) {
            if (!p.canConvertToInt() || !p.isIntegralNumber() || p.intValue() < 0 || p.intValue() > 65535) {
                loader.problem("metrics.port: expected a port number from 0 to 65535, got " + p);
            } else {
                port = Optional.of(p.intValue());
            }
        }
        return new ObservabilityConfig.Metrics(loader.bool(m, "enabled", "metrics.").orElse(true), port,
                loader.bool(m, "tenant_labels", "metrics.").orElse(false));
    }

    private ObservabilityConfig.Traces traces(JsonNode t) {
        if (t == null || t.isNull()) {
            return ObservabilityConfig.Traces.OFF;
        }
        if (!t.isObject()) {
            loader.problem("traces: expected a mapping {endpoint, sampling, capture_content, service_name}");
            return ObservabilityConfig.Traces.OFF;
        }
        loader.unknownKeys(t, "traces.", TRACES_KEYS);
        Optional<String> endpoint = loader.string(t, "endpoint", "traces.").filter(s -> !s.isBlank());
        endpoint.ifPresent(u -> {
            if (!(u.startsWith("http://") || u.startsWith("https://"))) {
                loader.problem("traces.endpoint: expected an http:// or https:// URL (OTLP/HTTP), got \"" + u + "\"");
            }
        });
        double sampling = 1.0;
        JsonNode s = t.get("sampling");
        if (s != null && !s.isNull()) {
            if (!s.isNumber() || s.doubleValue() < 0 || s.doubleValue() > 1) {
                loader.problem("traces.sampling: expected a number from 0 to 1, got " + s);
            } else {
                sampling = s.doubleValue();
            }
        }
        return new ObservabilityConfig.Traces(endpoint, sampling, loader.bool(t, "capture_content", "traces.").orElse(false),
                loader.string(t, "service_name", "traces.").filter(x -> !x.isBlank()).orElse("rosetta"));
    }
}

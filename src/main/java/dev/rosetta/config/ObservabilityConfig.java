package dev.rosetta.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code metrics} and {@code traces} sections.
 *
 * @param metrics {@code GET /metrics} in Prometheus text format
 * @param traces OpenTelemetry spans over OTLP/HTTP; off unless an endpoint is set
 */
public record ObservabilityConfig(Metrics metrics, Traces traces) {

    public static final ObservabilityConfig DEFAULT = new ObservabilityConfig(Metrics.DEFAULT, Traces.OFF);

    public ObservabilityConfig {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(traces, "traces");
    }

    /**
     * @param enabled {@code metrics.enabled} (or {@code metrics: false}): no registry, no listener, no endpoint
     * @param port {@code metrics.port}: serve {@code /metrics} on this port of its own instead of the main one
     * @param tenantLabels {@code metrics.tenant_labels}: add a {@code tenant} label (one series per tenant)
     */
    public record Metrics(boolean enabled, Optional<Integer> port, boolean tenantLabels) {
        public static final Metrics DEFAULT = new Metrics(true, Optional.empty(), false);
        public static final Metrics OFF = new Metrics(false, Optional.empty(), false);
    }

    /**
     * @param endpoint the OTLP/HTTP traces URL ({@code http://collector:4318/v1/traces}); empty = tracing off
     * @param sampling the share of requests traced when the client sent no sampled {@code traceparent}, 0 to 1
     * @param captureContent whether spans carry the prompt and completion text
     * @param serviceName the {@code service.name} resource attribute
     */
    public record Traces(Optional<String> endpoint, double sampling, boolean captureContent, String serviceName) {
        public static final Traces OFF = new Traces(Optional.empty(), 1.0, false, "rosetta");

        public boolean enabled() {
            return endpoint.isPresent();
        }
    }
}

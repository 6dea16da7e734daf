package dev.rosetta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code metrics} and {@code traces} sections: defaults, values, and problems with their key paths. */
class ObservabilityConfigTest {

    private static final String BASE = """
            providers:
              - {name: mock, type: mock}
            """;

    private static ObservabilityConfig parse(String extra) {
        return ConfigLoader.parse(BASE + extra, k -> null).observability();
    }

    private static List<String> problems(String extra) {
        return catchThrowableOfType(ConfigException.class, () -> parse(extra)).problems();
    }

    @Test
    void metricsAreOnAndTracesOffByDefault() {
        ObservabilityConfig o = parse("");
        assertThat(o.metrics()).isEqualTo(ObservabilityConfig.Metrics.DEFAULT);
        assertThat(o.metrics().enabled()).isTrue();
        assertThat(o.traces().enabled()).isFalse();
    }

    @Test
    void everyKeyIsRead() {
        ObservabilityConfig o = parse("""
                metrics: {port: 9464, tenant_labels: true}
                traces: {endpoint: "http://collector:4318/v1/traces", sampling: 0.25, capture_content: true, service_name: gw}
                """);
        assertThat(o.metrics()).isEqualTo(new ObservabilityConfig.Metrics(true, Optional.of(9464), true));
        assertThat(o.traces()).isEqualTo(new ObservabilityConfig.Traces(Optional.of("http://collector:4318/v1/traces"),
                0.25, true, "gw"));
        assertThat(parse("metrics: false\n").metrics().enabled()).isFalse();
    }

    @Test
    void problemsNameTheirKey() {
        assertThat(problems("""
                metrics: {port: 70000, tenant_lables: true}
                traces: {endpoint: "collector:4318", sampling: 2}
                """)).containsExactlyInAnyOrder(
                "metrics.tenant_lables: unknown key (expected one of [enabled, port, tenant_labels])",
                "metrics.port: expected a port number from 0 to 65535, got 70000",
                "traces.endpoint: expected an http:// or https:// URL (OTLP/HTTP), got \"collector:4318\"",
                "traces.sampling: expected a number from 0 to 1, got 2");
        assertThat(problems("traces: yes\n")).containsExactly(
                "traces: expected a mapping {endpoint, sampling, capture_content, service_name}");
    }
}

package dev.rosetta.testing;

import dev.rosetta.config.ConfigLoader;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.server.Gateway;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A gateway on a free loopback port, started from a YAML config, for in-process tests. */
public final class TestGateway implements AutoCloseable {

    /** Keys the tests use; a test greps output for them to prove they never leak. */
    public static final String OPENAI_KEY = "sk-test-openai-SECRET-0001";
    public static final String ANTHROPIC_KEY = "sk-ant-test-SECRET-0002";
    public static final String GEMINI_KEY = "AIza-test-SECRET-0003";

    /** Gateway keys for {@link #withKeys()} (well-formed rk- keys with valid checksums); also grepped for. */
    public static final String GATEWAY_KEY = "rk-F0joburn0YJ2zHeTCCyyN8hum6pNM90Slz7lDQRQ2EU3PvOws";
    /** May use {@code mock-gpt} only. */
    public static final String NARROW_GATEWAY_KEY = "rk-ahcdaU9L3-FtQw6BBHJKsxvkKi5ph_qnkzU4FGTnuoY34rF6R";
    public static final String EXPIRED_GATEWAY_KEY = "rk-A1q_QRAnfIEnpuEOTqWmMOmaFta2NcVccdn3bVdlJJo2Kl2vg";
    public static final String DISABLED_GATEWAY_KEY = "rk-sArUZZ8iSu_yPPij9ponvG7KrXWSHllAUKKLDRP7jqk0fAO6l";
    /** Of a disabled tenant. */
    public static final String OFF_TENANT_GATEWAY_KEY = "rk-x9BFagQl9YPEbNLwJ3ETm1CNAFRF-2kEcOpxGSve1ew1XzaO9";
    /** Well-formed, but declared nowhere. */
    public static final String UNKNOWN_GATEWAY_KEY = "rk-I6RwnXZlD5r6lfZluC4sTRyVmxO42Gv00Hs2uTVKmYs2fOR5k";
    public static final String ADMIN_KEY = "admin-test-SECRET-3f9c2a7e51b04d6e8a1c";

    private static final Map<String, String> ENV = Map.ofEntries(
            Map.entry("OPENAI_API_KEY", OPENAI_KEY), Map.entry("ANTHROPIC_API_KEY", ANTHROPIC_KEY),
            Map.entry("GEMINI_API_KEY", GEMINI_KEY), Map.entry("GW_KEY", GATEWAY_KEY),
            Map.entry("GW_NARROW_KEY", NARROW_GATEWAY_KEY), Map.entry("GW_EXPIRED_KEY", EXPIRED_GATEWAY_KEY),
            Map.entry("GW_DISABLED_KEY", DISABLED_GATEWAY_KEY), Map.entry("GW_OFF_KEY", OFF_TENANT_GATEWAY_KEY),
            Map.entry("ROSETTA_ADMIN_KEY", ADMIN_KEY));

    private final Gateway gateway;

    private TestGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    /**
     * A gateway with a store gets a ledger spool file of its own (unless the YAML names one), so that no
     * test replays another's records, and nothing is left in the working directory.
     */
    public static TestGateway start(String yaml) {
        return start(parse(yaml));
    }

    /**
     * Every overload taking YAML parses it here: a store without a {@code ledger_spool} gets one in a
     * directory of its own, or every such gateway of the test run would share {@code rosetta-ledger.spool}
     * in the working directory and replay records another test left there into its own store.
     */
    private static GatewayConfig parse(String yaml) {
        if (yaml.contains("\nstore:") && !yaml.contains("ledger_spool")) {
            try {
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("rosetta-test-ledger");
                dir.toFile().deleteOnExit();
                yaml = yaml.stripTrailing() + "\nledger_spool: \"" + dir.resolve("ledger.spool") + "\"\n";
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return ConfigLoader.parse(yaml, ENV::get);
    }

    /**
     * {@code auth: keys} in front of the offline mock provider serving {@code mock-gpt},
     * {@code mock-claude}, {@code mock-gemini} and {@code private-model}. Tenant {@code team-a} may use
     * {@code mock-*}; its keys: {@link #GATEWAY_KEY} ({@code a-main}), {@link #NARROW_GATEWAY_KEY}
     * ({@code a-narrow}, {@code mock-gpt} only), {@link #EXPIRED_GATEWAY_KEY}, {@link #DISABLED_GATEWAY_KEY};
     * {@link #OFF_TENANT_GATEWAY_KEY} belongs to the disabled tenant {@code team-off}.
     */
    public static TestGateway withKeys() {
        return start(KEYS_YAML);
    }

    public static final String KEYS_YAML = """
            port: 0
            auth: keys
            store: "sqlite::memory:"
            admin_key: ${ROSETTA_ADMIN_KEY}
            providers:
              - name: mock
                type: mock
            models:
              - name: mock-gpt
                provider: mock
              - name: mock-claude
                provider: mock
              - name: mock-gemini
                provider: mock
              - name: private-model
                provider: mock
            tenants:
              - name: team-a
                models: ["mock-*"]
                metadata: {owner: search}
              - name: team-off
                disabled: true
            keys:
              - name: a-main
                tenant: team-a
                key: ${GW_KEY}
              - name: a-narrow
                tenant: team-a
                key: ${GW_NARROW_KEY}
                models: [mock-gpt]
              - name: a-expired
                tenant: team-a
                key: ${GW_EXPIRED_KEY}
                expires_at: 2020-01-01T00:00:00Z
              - name: a-disabled
                tenant: team-a
                key: ${GW_DISABLED_KEY}
                disabled: true
              - name: off-main
                tenant: team-off
                key: ${GW_OFF_KEY}
            """;

    public static TestGateway start(GatewayConfig config) {
        return start(config, 2);
    }

    /** With one event loop every request shares one upstream pool, so connection reuse is deterministic. */
    public static TestGateway start(String yaml, int eventLoops) {
        return start(parse(yaml), eventLoops);
    }

    public static TestGateway start(GatewayConfig config, int eventLoops) {
        return start(config, eventLoops, java.time.Clock.systemUTC());
    }

    /** With limits counted in {@code clock}'s time, which the test moves. */
    public static TestGateway start(String yaml, java.time.Clock clock) {
        return start(parse(yaml), 2, clock);
    }

    /** With limits, breakers and key rests counted in {@code clock}'s time, and retries waiting through {@code delays}. */
    public static TestGateway start(String yaml, java.time.Clock clock, dev.rosetta.route.Delays delays) {
        try {
            return new TestGateway(Gateway.start(parse(yaml).withPort(0), 2, clock, delays)
                    .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** With traces exported where the test says (an in-memory exporter). */
    public static TestGateway startTraced(String yaml, dev.rosetta.trace.Tracing tracing) {
        try {
            return new TestGateway(Gateway.start(parse(yaml).withPort(0), 2,
                    java.time.Clock.systemUTC(), java.util.Optional.of(tracing)).toCompletionStage()
                    .toCompletableFuture().get(20, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestGateway start(GatewayConfig config, int eventLoops, java.time.Clock clock) {
        try {
            return new TestGateway(Gateway.start(config.withPort(0), eventLoops, clock).toCompletionStage()
                    .toCompletableFuture().get(20, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A gateway with one provider of each type, all pointing at {@code upstream}, and models
     * {@code gpt-test}, {@code claude-test}, {@code gemini-test} (sent upstream as {@code *-upstream}).
     */
    public static TestGateway withProviders(FakeUpstream upstream) {
        return withProviders(upstream, "5s");
    }

    /** As {@link #withProviders(FakeUpstream)}, with each provider's whole-request {@code timeout}. */
    public static TestGateway withProviders(FakeUpstream upstream, String timeout) {
        return start("""
                port: 0
                providers:
                  - name: oai
                    type: openai
                    base_url: %1$s/v1
                    api_key: ${OPENAI_API_KEY}
                    timeout: %2$s
                  - name: ant
                    type: anthropic
                    base_url: %1$s
                    api_key: ${ANTHROPIC_API_KEY}
                    timeout: %2$s
                  - name: gem
                    type: gemini
                    base_url: %1$s
                    api_key: ${GEMINI_API_KEY}
                    timeout: %2$s
                  - name: mock
                    type: mock
                models:
                  - name: gpt-test
                    provider: oai
                    upstream_model: gpt-upstream
                  - name: claude-test
                    provider: ant
                    upstream_model: claude-upstream
                  - name: gemini-test
                    provider: gem
                    upstream_model: gemini-upstream
                  - name: mock-gpt
                    provider: mock
                """.formatted(upstream.baseUrl(), timeout));
    }

    public int port() {
        return gateway.port();
    }

    /** {@code http://127.0.0.1:PORT} */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public Gateway gateway() {
        return gateway;
    }

    /**
     * A key of tenant {@code team-a} created through the admin API and then revoked through it
     * ({@link #withKeys()} gateways): its secret, which must no longer let anyone in.
     */
    public String revokedKey() {
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpResponse<String> created = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(url() + "/admin/v1/keys"))
                    .header("authorization", "Bearer " + ADMIN_KEY).header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"tenant\":\"team-a\",\"name\":\"revoked\"}"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            com.fasterxml.jackson.databind.JsonNode key = new com.fasterxml.jackson.databind.ObjectMapper().readTree(created.body());
            java.net.http.HttpResponse<String> revoked = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(url() + "/admin/v1/keys/" + key.get("id").asText()))
                    .header("authorization", "Bearer " + ADMIN_KEY).DELETE().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201 || revoked.statusCode() / 100 != 2) {
                throw new IllegalStateException("admin API: " + created.statusCode() + " " + revoked.statusCode());
            }
            return key.get("key").asText();
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            gateway.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

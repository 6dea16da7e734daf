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

    private final Gateway gateway;

    private TestGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    public static TestGateway start(String yaml) {
        return start(ConfigLoader.parse(yaml, Map.of(
                "OPENAI_API_KEY", OPENAI_KEY, "ANTHROPIC_API_KEY", ANTHROPIC_KEY, "GEMINI_API_KEY", GEMINI_KEY)::get));
    }

    public static TestGateway start(GatewayConfig config) {
        return start(config, 2);
    }

    /** With one event loop every request shares one upstream pool, so connection reuse is deterministic. */
    public static TestGateway start(String yaml, int eventLoops) {
        return start(ConfigLoader.parse(yaml, Map.of(
                "OPENAI_API_KEY", OPENAI_KEY, "ANTHROPIC_API_KEY", ANTHROPIC_KEY, "GEMINI_API_KEY", GEMINI_KEY)::get),
                eventLoops);
    }

    public static TestGateway start(GatewayConfig config, int eventLoops) {
        try {
            return new TestGateway(Gateway.start(config.withPort(0), eventLoops).toCompletionStage().toCompletableFuture()
                    .get(20, TimeUnit.SECONDS));
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

    @Override
    public void close() {
        try {
            gateway.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

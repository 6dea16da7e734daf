package dev.rosetta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rosetta.dialect.ProviderType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final Map<String, String> ENV = Map.of("OPENAI_API_KEY", "sk-env", "EMPTY", "");

    private static GatewayConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, ENV::get);
    }

    private static List<String> problems(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml)).problems();
    }

    @Test
    void aValidFileBecomesRecordsWithDefaultsFilledIn() {
        GatewayConfig config = parse("""
                host: 0.0.0.0
                allow_unauthenticated: true
                port: 9000
                max_body_size: 512KiB
                shutdown_grace: 5s
                access_log: false
                providers:
                  - name: oai
                    type: openai
                    api_key: sk-1
                    organization: org-1
                  - name: ant
                    type: anthropic
                    api_key: sk-ant
                    timeout: 30s
                    connect_timeout: 1500ms
                  - name: gem
                    type: gemini
                    base_url: http://localhost:1234/
                    api_key: AIza
                  - name: mock
                    type: mock
                models:
                  - name: fast
                    provider: oai
                    upstream_model: gpt-4o-mini
                  - name: claude-sonnet-4-5
                    provider: ant
                """);

        assertThat(config.server()).isEqualTo(new ServerConfig("0.0.0.0", 9000, 512 * 1024, Duration.ofSeconds(5), false, false, MediaFetchConfig.DEFAULT, StreamConfig.DEFAULT));
        assertThat(config.providers()).containsExactly(
                new ProviderConfig("oai", ProviderType.OPENAI, "https://api.openai.com/v1", new Secret("sk-1"),
                        Duration.ofSeconds(600), Duration.ofSeconds(10), Optional.of("org-1"), Optional.empty(), Optional.empty(), Optional.empty()),
                new ProviderConfig("ant", ProviderType.ANTHROPIC, "https://api.anthropic.com", new Secret("sk-ant"),
                        Duration.ofSeconds(30), Duration.ofMillis(1500), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()),
                new ProviderConfig("gem", ProviderType.GEMINI, "http://localhost:1234", new Secret("AIza"),
                        Duration.ofSeconds(600), Duration.ofSeconds(10), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()),
                new ProviderConfig("mock", ProviderType.MOCK, "", new Secret(""),
                        Duration.ofSeconds(600), Duration.ofSeconds(10), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(config.models()).containsExactly(
                new ModelConfig("fast", "oai", "gpt-4o-mini"),
                new ModelConfig("claude-sonnet-4-5", "ant", "claude-sonnet-4-5"));
    }

    @Test
    void serverSettingsHaveDefaults() {
        GatewayConfig config = parse("""
                providers:
                  - name: mock
                    type: mock
                """);

        assertThat(config.server()).isEqualTo(new ServerConfig("127.0.0.1", 8080,
                ServerConfig.DEFAULT_MAX_BODY_BYTES, ServerConfig.DEFAULT_SHUTDOWN_GRACE, true, false, MediaFetchConfig.DEFAULT, StreamConfig.DEFAULT));
        assertThat(config.models()).isEmpty();
    }

    @Test
    void environmentVariablesAreSubstituted() {
        GatewayConfig config = parse("""
                port: ${PORT:-8181}
                providers:
                  - name: oai
                    type: openai
                    api_key: ${OPENAI_API_KEY}
                    base_url: ${OPENAI_BASE:-https://proxy.example}/v1
                    project: ${EMPTY:-proj-default}
                """);

        assertThat(config.server().port()).isEqualTo(8181);
        ProviderConfig oai = config.providers().get(0);
        assertThat(oai.apiKey().value()).isEqualTo("sk-env");
        assertThat(oai.baseUrl()).isEqualTo("https://proxy.example/v1");
        assertThat(oai.project()).contains("proj-default");
    }

    @Test
    void chatReasoningIsPerModelDefaultsToNoneAndIsCheckedAtItsKey() {
        GatewayConfig config = parse("""
                providers:
                  - name: p
                    type: mock
                models:
                  - name: a
                    provider: p
                    chat_reasoning: reasoning_content
                  - name: b
                    provider: p
                    chat_reasoning: none
                  - name: c
                    provider: p
                """);
        assertThat(config.models()).extracting(m -> m.chatReasoning()).containsExactly(
                dev.rosetta.dialect.openai.ChatReasoning.REASONING_CONTENT, dev.rosetta.dialect.openai.ChatReasoning.NONE,
                dev.rosetta.dialect.openai.ChatReasoning.NONE);

        assertThat(problems("""
                providers:
                  - name: p
                    type: mock
                models:
                  - name: a
                    provider: p
                  - name: b
                    provider: p
                    chat_reasoning: reasoning
                """)).containsExactly("models[1].chat_reasoning: expected reasoning_content or none, got \"reasoning\"");
    }

    @Test
    void anUnsetVariableWithoutDefaultIsAProblemAtItsKey() {
        assertThat(problems("""
                providers:
                  - name: ant
                    type: anthropic
                    api_key: ${ANTHROPIC_API_KEY}
                """)).contains("providers[0].api_key: environment variable ANTHROPIC_API_KEY is not set");
    }

    @Test
    void aModelNamingAnUnknownProviderIsReportedWithItsIndex() {
        assertThat(problems("""
                providers:
                  - name: claude
                    type: anthropic
                    api_key: k
                models:
                  - name: a
                    provider: claude
                  - name: b
                    provider: claude
                  - name: c
                    provider: claude
                  - name: d
                    provider: claud
                """)).containsExactly("models[3].provider: unknown provider \"claud\"");
    }

    @Test
    void anUnknownProviderTypeIsReported() {
        assertThat(problems("""
                providers:
                  - name: x
                    type: azure
                    api_key: k
                """)).containsExactly(
                "providers[0].type: unknown provider type \"azure\" (expected openai, anthropic, gemini or mock)");
    }

    @Test
    void aRealProviderWithoutKeyIsReported() {
        assertThat(problems("""
                providers:
                  - name: gem
                    type: gemini
                  - name: mock
                    type: mock
                """)).containsExactly("providers[0].api_key: required for a provider of type gemini");
    }

    @Test
    void duplicateNamesAreReported() {
        assertThat(problems("""
                providers:
                  - name: p
                    type: mock
                  - name: p
                    type: mock
                models:
                  - name: m
                    provider: p
                  - name: m
                    provider: p
                """)).containsExactly(
                "providers[1].name: duplicate provider \"p\"",
                "models[1].name: duplicate model \"m\"");
    }

    @Test
    void unknownKeysAreReportedWhereverTheyAre() {
        assertThat(problems("""
                prot: 8080
                providers:
                  - name: p
                    type: mock
                    timout: 5s
                models:
                  - name: m
                    provider: p
                    upstream: x
                """)).containsExactlyInAnyOrder(
                "prot: unknown key (expected one of [access_log, admin_key, allow_unauthenticated, auth, cache, fetch_max_size, fetch_private_addresses, fetch_timeout, host, keepalive_interval, keys, ledger, ledger_retention, ledger_spool, ledger_spool_max, limits_on_redis_failure, limits_output_tokens, max_body_size, models, port, prices, providers, redis, redis_key_prefix, redis_timeout, request_read_timeout, shutdown_grace, state_secret, store, stream_first_byte_timeout, stream_idle_timeout, strict, tenants])",
                "providers[0].timout: unknown key (expected one of [api, api_key, base_url, ca_file, connect_timeout, limits, name, organization, passthrough, project, timeout, type])",
                "models[0].upstream: unknown key (expected one of [api, cache, chat_reasoning, limits, max_tokens, name, provider, upstream_model])");
    }

    @Test
    void badDurationsSizesAndNumbersAreReported() {
        assertThat(problems("""
                port: 99999
                max_body_size: lots
                shutdown_grace: soon
                access_log: maybe
                providers:
                  - name: p
                    type: openai
                    api_key: k
                    timeout: -5s
                    base_url: api.openai.com
                """)).containsExactlyInAnyOrder(
                "port: must be between 0 and 65535, got 99999",
                "max_body_size: expected a size such as 32MiB, 512KiB or 1048576, got \"lots\"",
                "shutdown_grace: expected a duration such as 30s, 1500ms or 10m, got \"soon\"",
                "access_log: expected true or false, got \"maybe\"",
                "providers[0].timeout: expected a duration such as 30s, 1500ms or 10m, got \"-5s\"",
                "providers[0].base_url: expected an http:// or https:// URL, got \"api.openai.com\"");
    }

    @Test
    void providersMustBeAListOfMappings() {
        assertThat(problems("""
                providers:
                  name: p
                  type: mock
                """)).containsExactly("providers: expected a list");
        assertThat(problems("""
                providers:
                  - mock
                """)).containsExactly("providers[0]: expected a mapping");
        assertThat(problems("port: 8080\n")).containsExactly("providers: at least one provider is required");
    }

    @Test
    void missingRequiredKeysAreReported() {
        assertThat(problems("""
                providers:
                  - type: mock
                models:
                  - name: m
                """)).containsExactlyInAnyOrder("providers[0].name: required", "models[0].provider: required");
    }

    @Test
    void anEmptyFileIsReported() {
        assertThat(problems("")).containsExactly("(root): the configuration is empty");
        assertThat(problems("# only a comment\n")).containsExactly("(root): the configuration is empty");
    }

    @Test
    void invalidYamlIsReportedWithItsLine() {
        List<String> problems = problems("""
                providers:
                  - name: p
                    type: [mock
                """);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).startsWith("invalid YAML: ").containsPattern("\\(line \\d+\\)");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThat(problems("""
                port: x
                providers:
                  - name: a
                    type: claud
                models:
                  - name: m
                    provider: nope
                """)).hasSize(3);
    }

    @Test
    void aMissingFileIsReportedWithItsPath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(missing, ENV::get)).problems())
                .containsExactly(missing + ": no such file");
    }

    @Test
    void aFileIsLoaded(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("rosetta.yaml"), "port: 1234\nproviders:\n  - name: m\n    type: mock\n");
        assertThat(ConfigLoader.load(file, ENV::get).server().port()).isEqualTo(1234);
    }

    @Test
    void passthroughIsOnByDefaultForRealProvidersAndValidatedLikeAnyKey() {
        GatewayConfig config = parse("""
                providers:
                  - name: oai
                    type: openai
                    api_key: sk-1
                  - name: gem
                    type: gemini
                    api_key: AIza
                    passthrough: false
                  - name: mock
                    type: mock
                """);
        assertThat(config.providers()).extracting(ProviderConfig::passthrough).containsExactly(true, false, false);

        assertThat(problems("""
                providers:
                  - name: oai
                    type: openai
                    api_key: sk-1
                    passthrough: sometimes
                  - name: mock
                    type: mock
                    passthrough: true
                """)).containsExactly("providers[0].passthrough: expected true or false, got \"sometimes\"",
                "providers[1].passthrough: the mock provider has no API of its own to pass through");
    }

    @Test
    void pricesAndLedgerSettingsAreReadAndCheckedWithTheirPaths() {
        GatewayConfig config = parse("""
                ledger_retention: 30d
                ledger_spool: /var/lib/rosetta/ledger.spool
                ledger_spool_max: 64MiB
                prices:
                  llama-local: {input: 0, output: 0}
                  gpt-5: {input: 1.1, output: 9, cache_read: 0.11}
                providers: [{name: mock, type: mock}]
                """);
        assertThat(config.ledger().retention()).isEqualTo(java.time.Duration.ofDays(30));
        assertThat(config.ledger().spool()).isEqualTo(java.nio.file.Path.of("/var/lib/rosetta/ledger.spool"));
        assertThat(config.ledger().spoolMaxBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(config.ledger().prices()).extracting(dev.rosetta.ledger.Price::model)
                .containsExactly("llama-local", "gpt-5");
        assertThat(parse("providers: [{name: mock, type: mock}]").ledger()).isEqualTo(LedgerConfig.DEFAULT);

        assertThat(problems("""
                ledger_retention: forever
                prices:
                  gpt-5: {input: -1, output: 2, cached: 1}
                  odd: 3
                providers: [{name: mock, type: mock}]
                """)).containsExactlyInAnyOrder(
                "ledger_retention: expected a duration such as 30s, 1500ms or 10m, got \"forever\"",
                "prices.gpt-5.input: expected a price in USD per million tokens, 0 or more",
                "prices.gpt-5.cached: unknown key (expected one of [as_of, cache_read, cache_write_1h, cache_write_5m,"
                        + " input, long_context, model, output, provider, source])",
                "prices.odd: expected a mapping with input and output (USD per million tokens)");
    }
}

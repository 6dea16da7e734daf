package dev.rosetta.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The police stage through the whole gateway: what a client of each dialect sees of its limits. */
class LimitsGatewayTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    private final FakeUpstream upstream = new FakeUpstream();
    private final MovableClock clock = new MovableClock(T0);
    private TestGateway gateway;

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private DialectClient start(String modelLimits, String extra) {
        gateway = TestGateway.start("""
                port: 0
                %3$s
                providers:
                  - name: oai
                    type: openai
                    base_url: %1$s/v1
                    api_key: ${OPENAI_API_KEY}
                  - name: ant
                    type: anthropic
                    base_url: %1$s
                    api_key: ${ANTHROPIC_API_KEY}
                  - name: gem
                    type: gemini
                    base_url: %1$s
                    api_key: ${GEMINI_API_KEY}
                models:
                  - name: gpt-test
                    provider: oai
                    %2$s
                  - name: claude-test
                    provider: ant
                    %2$s
                  - name: gemini-test
                    provider: gem
                    %2$s
                """.formatted(upstream.baseUrl(), modelLimits, extra), clock);
        return new DialectClient(gateway.url());
    }

    private static String model(Dialect d) {
        return switch (d) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> "gpt-test";
            case ANTHROPIC -> "claude-test";
            case GEMINI -> "gemini-test";
        };
    }

    private void answerInOwnDialect() {
        upstream.answer(r -> Reply.json(200, ProviderAnswers.json(ProviderAnswers.dialectOf(r.path()), "hi")));
    }

    @Test
    void aModelsRpmRefusesWith429AndTheDialectsOwnHeaders() {
        DialectClient client = start("limits: {rpm: 2}", "");
        answerInOwnDialect();
        for (Dialect d : List.of(Dialect.OPENAI_CHAT, Dialect.ANTHROPIC, Dialect.GEMINI)) {
            DialectClient.Result first = client.send(d, model(d), false, "one");
            DialectClient.Result second = client.send(d, model(d), false, "two");
            DialectClient.Result third = client.send(d, model(d), false, "three");
            assertThat(first.status()).as(d + " " + first).isEqualTo(200);
            assertThat(second.status()).isEqualTo(200);
            String message = DialectClient.assertDialectError(d, third, 429);
            assertThat(message).contains("rpm limit of model " + model(d)).contains("try again in 30s");
            assertThat(third.headers().firstValue("retry-after")).hasValue("30");
            switch (d) {
                case OPENAI_CHAT -> {
                    assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).hasValue("2");
                    assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("1");
                    assertThat(first.headers().firstValue("x-ratelimit-reset-requests")).hasValue("30s");
                    assertThat(second.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
                    assertThat(third.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
                    assertThat(third.headers().firstValue("x-ratelimit-reset-requests")).hasValue("1m0s");
                    assertThat(third.headers().firstValue("retry-after-ms")).hasValue("30000");
                    assertThat(third.json().at("/error/type").asText()).isEqualTo("rate_limit_error");
                }
                case ANTHROPIC -> {
                    assertThat(first.headers().firstValue("anthropic-ratelimit-requests-limit")).hasValue("2");
                    assertThat(first.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("1");
                    assertThat(first.headers().firstValue("anthropic-ratelimit-requests-reset"))
                            .hasValue(T0.plusSeconds(30).toString());
                    assertThat(third.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("0");
                    assertThat(third.headers().firstValue("retry-after-ms")).hasValue("30000");
                    assertThat(third.json().at("/error/type").asText()).isEqualTo("rate_limit_error");
                }
                default -> {
                    assertThat(third.json().at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
                    assertThat(third.json().at("/error/details/0/@type").asText())
                            .isEqualTo("type.googleapis.com/google.rpc.RetryInfo");
                    assertThat(third.json().at("/error/details/0/retryDelay").asText()).isEqualTo("30s");
                }
            }
        }
        clock.advance(30_000);
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "later").status()).isEqualTo(200);
    }

    @Test
    void tokensAreSettledWithTheRealUsageSoSmallAnswersDoNotUseUpTheEstimate() {
        // Each request reserves ~1000 tokens (its output estimate) but uses 2: settled down, many fit.
        DialectClient client = start("limits: {tpm: 2500}", "limits_output_tokens: 1000");
        answerInOwnDialect();
        for (int i = 0; i < 10; i++) {
            DialectClient.Result r = client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "n" + i);
            assertThat(r.status()).as("request %d: %s", i, r).isEqualTo(200);
        }
    }

    @Test
    void tokensSettleUpWhenTheAnswerUsedMoreThanReserved() {
        DialectClient client = start("limits: {tpm: 6000}", "limits_output_tokens: 10");
        upstream.answer(r -> Reply.json(200, ProviderAnswers.json(Dialect.OPENAI_CHAT, "hi")
                .replace("\"completion_tokens\":1,\"total_tokens\":2", "\"completion_tokens\":5000,\"total_tokens\":5001")));
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "big").status()).isEqualTo(200);
        DialectClient.Result next = client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "next");
        assertThat(next.status()).isEqualTo(200);
        assertThat(Long.parseLong(next.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow()))
                .isLessThan(1000);
        DialectClient.assertDialectError(Dialect.OPENAI_CHAT,
                client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "refused"), 429);
    }

    @Test
    void aRequestLargerThanTheWholeBucketIsRefusedAtOnceSayingSo() {
        DialectClient client = start("limits: {tpm: 100}", "limits_output_tokens: 4096");
        answerInOwnDialect();
        DialectClient.Result r = client.send(Dialect.ANTHROPIC, "/v1/messages",
                "{\"model\":\"claude-test\",\"max_tokens\":4000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                        .getBytes(StandardCharsets.UTF_8));
        String message = DialectClient.assertDialectError(Dialect.ANTHROPIC, r, 413);
        assertThat(message).contains("more than the whole tpm limit of model claude-test of 100")
                .contains("can never be admitted");
        assertThat(r.headers().firstValue("retry-after")).isEmpty();
        assertThat(upstream.pending()).isZero();
    }

    @Test
    void theOutputLimitARequestSetsIsWhatIsReservedInEveryDialect() {
        // Without reading the request's own limit, 4096 output tokens would be reserved: more than the bucket.
        DialectClient client = start("limits: {tpm: 1000}", "limits_output_tokens: 4096");
        answerInOwnDialect();
        DialectClient.Result gemini = client.send(Dialect.GEMINI, "/v1beta/models/gemini-test:generateContent",
                ("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],"
                        + "\"generationConfig\":{\"temperature\":0.2,\"maxOutputTokens\":300}}").getBytes(StandardCharsets.UTF_8));
        assertThat(gemini.status()).as(gemini.toString()).isEqualTo(200);
        DialectClient.Result chat = client.send(Dialect.OPENAI_CHAT, "/v1/chat/completions",
                "{\"model\":\"gpt-test\",\"max_completion_tokens\":300,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
        DialectClient.Result unbounded = client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "no limit set");
        assertThat(DialectClient.assertDialectError(Dialect.OPENAI_CHAT, unbounded, 413)).contains("never be admitted");
    }

    @Test
    void concurrencyIsReleasedOnCompletionOnErrorAndWhenTheClientGoesAway() throws Exception {
        DialectClient client = start("limits: {concurrent: 1}", "");
        answerInOwnDialect();
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "a").status()).isEqualTo(200);
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "b").status()).isEqualTo(200);

        upstream.answer(r -> Reply.json(500, ProviderAnswers.error(Dialect.OPENAI_CHAT, 500, "boom")));
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "c").status()).isEqualTo(500);
        answerInOwnDialect();
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "d").status()).isEqualTo(200);

        // A stream held open upstream occupies the slot; the client leaves; the slot comes back.
        CompletableFuture<Void> never = new CompletableFuture<>();
        upstream.answer(r -> Reply.stream("text/event-stream", List.of(
                new FakeUpstream.Step.Write(ProviderAnswers.opening(Dialect.OPENAI_CHAT, "x").get(0)
                        .getBytes(StandardCharsets.UTF_8)),
                new FakeUpstream.Step.Await(never)), true));
        byte[] body = DialectClient.body(Dialect.OPENAI_CHAT, "gpt-test", true, "held").getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", gateway.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                    + "authorization: Bearer k\r\ncontent-length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = new byte[12];
            assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");

            DialectClient.Result busy = client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "busy");
            assertThat(DialectClient.assertDialectError(Dialect.OPENAI_CHAT, busy, 429))
                    .contains("concurrent limit of model gpt-test of 1");
        }
        answerInOwnDialect();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (gateway.gateway().inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "after").status()).isEqualTo(200);
        never.complete(null);
    }

    @Test
    void inPassthroughTheTighterOfTheProvidersAndRosettasHeadersIsSent() {
        DialectClient client = start("limits: {rpm: 100, tpm: 100000}", "");
        upstream.answer(r -> Reply.json(200, ProviderAnswers.json(Dialect.OPENAI_CHAT, "hi"), Map.of(
                "x-ratelimit-limit-requests", "5000", "x-ratelimit-remaining-requests", "3",
                "x-ratelimit-reset-requests", "12ms", "x-ratelimit-limit-tokens", "2000000",
                "x-ratelimit-remaining-tokens", "1999000", "x-ratelimit-reset-tokens", "1ms")));
        DialectClient.Result r = client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "hi");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().allValues("x-ratelimit-remaining-requests")).containsExactly("3");
        assertThat(r.headers().allValues("x-ratelimit-limit-requests")).containsExactly("100");
        assertThat(r.headers().allValues("x-ratelimit-reset-requests")).containsExactly("600ms");
        long tokensLeft = Long.parseLong(r.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
        assertThat(tokensLeft).isLessThan(100000).isGreaterThan(90000);
        assertThat(r.headers().allValues("x-ratelimit-limit-tokens")).containsExactly("100000");
    }

    @Test
    void convertedAnswersAndStreamsCarryTheClientDialectsHeaders() {
        DialectClient client = start("limits: {rpm: 50}", "");
        answerInOwnDialect();
        DialectClient.Result converted = client.send(Dialect.ANTHROPIC, "/v1/messages",
                DialectClient.body(Dialect.ANTHROPIC, "gpt-test", false, "hi").getBytes(StandardCharsets.UTF_8));
        assertThat(converted.status()).as(converted.toString()).isEqualTo(200);
        assertThat(converted.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("49");
        assertThat(converted.headers().firstValue("x-ratelimit-remaining-requests")).isEmpty();

        upstream.answer(r -> Reply.sse(ProviderAnswers.stream(Dialect.OPENAI_CHAT, "streamed")));
        DialectClient.Result streamed = client.send(Dialect.OPENAI_CHAT, "gpt-test", true, "hi");
        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.body()).contains("streamed");
        assertThat(streamed.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("48");
    }

    @Test
    void noLimitsMeansNoStageAndNoHeaders() {
        DialectClient client = start("", "");
        answerInOwnDialect();
        DialectClient.Result r = client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "hi");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).isEmpty();
    }
}

package dev.rosetta.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.limits.RedisTestServer;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.DialectClient.Result;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two gateways sharing one Redis share one cache: an answer fetched through A is a hit on B, in another dialect. */
class ReplicasSharingCacheTest {

    @Test
    void aMissOnOneReplicaIsAHitOnTheOther() throws Exception {
        RedisTestServer.require();
        String prefix = RedisTestServer.PREFIX + "replicas:" + UUID.randomUUID() + ":";
        String yaml = """
                port: 0
                redis: "%s"
                providers:
                  - name: oai
                    type: openai
                    base_url: %s/v1
                    api_key: ${OPENAI_API_KEY}
                models:
                  - name: gpt-test
                    provider: oai
                cache:
                  redis_key_prefix: "%s"
                """;
        Vertx vertx = Vertx.vertx();
        Redis redis = Redis.createClient(vertx, RedisTestServer.URL);
        try (FakeUpstream fake = new FakeUpstream();
             TestGateway a = TestGateway.start(yaml.formatted(RedisTestServer.URL, fake.baseUrl(), prefix));
             TestGateway b = TestGateway.start(yaml.formatted(RedisTestServer.URL, fake.baseUrl(), prefix))) {
            fake.answer(Reply.json(200, ProviderAnswers.json(Dialect.OPENAI_CHAT, "shared")));
            Result miss = new DialectClient(a.url()).send(Dialect.OPENAI_CHAT, "/v1/chat/completions",
                    "{\"model\":\"gpt-test\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\"replicas?\"}]}"
                            .getBytes(StandardCharsets.UTF_8));
            assertThat(miss.headers().firstValue("x-rosetta-cache")).contains("miss");
            fake.take();
            // the entry is written after A's answer has gone out: wait until Redis has it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && redis.send(Request.cmd(Command.KEYS).arg(prefix + "*"))
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).size() == 0) {
                Thread.onSpinWait();
            }

            Result hit = new DialectClient(b.url()).send(Dialect.ANTHROPIC, "/v1/messages",
                    "{\"model\":\"gpt-test\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\"replicas?\"}]}"
                            .getBytes(StandardCharsets.UTF_8));
            assertThat(hit.headers().firstValue("x-rosetta-cache")).contains("hit");
            assertThat(hit.json().at("/content/0/text").asText()).isEqualTo("shared");
            assertThat(hit.json().at("/usage/output_tokens").asLong()).isEqualTo(1);
            assertThat(fake.pending()).isZero();
        } finally {
            redis.close();
            vertx.close();
        }
    }
}

package dev.rosetta.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.config.ConfigLoader;
import dev.rosetta.server.Gateway;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload of models and routing: atomic, validated whole, keeping breaker state. */
class ReloadTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private FakeUpstream a;
    private FakeUpstream b;
    private Gateway gateway;
    private Path file;

    @BeforeEach
    void start() throws Exception {
        a = new FakeUpstream().answer(Reply.json(200, FailoverTest.MESSAGE));
        b = new FakeUpstream().answer(Reply.json(200, FailoverTest.MESSAGE));
        file = dir.resolve("rosetta.yaml");
        write("""
                  - name: claude
                    targets:
                      - {provider: a, upstream_model: claude-a}
                """, false);
        gateway = Gateway.start(ConfigLoader.load(file, Map.<String, String>of()::get), 2)
                .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        gateway.reloadFrom(file, Map.<String, String>of()::get);
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        a.close();
        b.close();
    }

    private void write(String models, boolean watch) throws Exception {
        Files.writeString(file, """
                port: 0
                admin_key: %s
                watch_config: %s
                routing:
                  breaker: {window: 4, min_calls: 2, failure_rate: 50, cooldown: 60s}
                providers:
                  - {name: a, type: anthropic, base_url: "%s", api_key: sk-ant-test-SECRET-a}
                  - {name: b, type: anthropic, base_url: "%s", api_key: sk-ant-test-SECRET-b}
                models:
                """.formatted(TestGateway.ADMIN_KEY, watch, a.baseUrl(), b.baseUrl()) + models);
    }

    @Test
    void aReloadRoutesNewRequestsToTheNewTargets() throws Exception {
        assertThat(target(post())).isEqualTo("a/claude-a");
        write("""
                  - name: claude
                    targets:
                      - {provider: b, upstream_model: claude-b}
                  - name: added
                    provider: a
                """, false);
        HttpResponse<String> r = reload();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"applied\":true");
        assertThat(target(post())).isEqualTo("b/claude-b");
        assertThat(send("added").statusCode()).isEqualTo(200);
    }

    @Test
    void anInvalidFileIsRefusedWithEveryProblemAndTheOldConfigurationKept() throws Exception {
        write("""
                  - name: claude
                    strategy: fastest
                    targets:
                      - {provider: nowhere}
                """, false);
        HttpResponse<String> r = reload();
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).contains("\"applied\":false", "models[0].strategy: expected ordered",
                "models[0].targets[0].provider: unknown provider \\\"nowhere\\\"");
        assertThat(target(post())).isEqualTo("a/claude-a");
    }

    @Test
    void aFileChangingProvidersIsRefusedWholeUntilRestart() throws Exception {
        Files.writeString(file, Files.readString(file).replace("sk-ant-test-SECRET-a", "sk-ant-test-SECRET-new"));
        HttpResponse<String> r = reload();
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).contains("providers: changed").doesNotContain("SECRET");
    }

    @Test
    void breakerStateSurvivesAReloadForATargetThatStillExists() throws Exception {
        write("""
                  - name: claude
                    targets:
                      - {provider: a, upstream_model: claude-a}
                      - {provider: b, upstream_model: claude-b}
                """, false);
        assertThat(reload().statusCode()).isEqualTo(200);
        a.answer(Reply.json(503, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"down\"}}"));
        post();
        post();
        assertThat(health()).contains("{\"target\":\"a/claude-a\",\"breaker\":\"open\"");
        write("""
                  - name: claude
                    strategy: weighted
                    targets:
                      - {provider: a, upstream_model: claude-a, weight: 5}
                      - {provider: b, upstream_model: claude-b}
                """, false);
        assertThat(reload().statusCode()).isEqualTo(200);
        assertThat(health()).contains("{\"target\":\"a/claude-a\",\"breaker\":\"open\"");
    }

    @Test
    void reloadUnderLoadLosesNoRequest() throws Exception {
        String toB = """
                  - name: claude
                    targets:
                      - {provider: b, upstream_model: claude-b}
                """;
        String toA = """
                  - name: claude
                    targets:
                      - {provider: a, upstream_model: claude-a}
                """;
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 20; i++) {
                sent.add(http.sendAsync(request("claude"), HttpResponse.BodyHandlers.ofString()));
            }
            write(round % 2 == 0 ? toB : toA, false);
            assertThat(gateway.reload().applied()).isTrue();
        }
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(FailoverTest.MESSAGE);
        }
        assertThat(sent).hasSize(200);
    }

    @Test
    void watchConfigReloadsWhenTheFileChanges() throws Exception {
        gateway.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        write("""
                  - name: claude
                    targets:
                      - {provider: a, upstream_model: claude-a}
                """, true);
        gateway = Gateway.start(ConfigLoader.load(file, Map.<String, String>of()::get), 2)
                .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        gateway.reloadFrom(file, Map.<String, String>of()::get);
        assertThat(target(post())).isEqualTo("a/claude-a");
        write("""
                  - name: claude
                    targets:
                      - {provider: b, upstream_model: claude-b}
                """, true);
        // the file system's notice arrives in its own time: ask until it has (bounded)
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String seen = "";
        while (System.nanoTime() < until && !(seen = target(post())).equals("b/claude-b")) {
            Thread.onSpinWait();
        }
        assertThat(seen).isEqualTo("b/claude-b");
    }

    private String health() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url() + "/admin/v1/health"))
                .header("authorization", "Bearer " + TestGateway.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private HttpResponse<String> reload() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url() + "/admin/v1/reload"))
                .header("authorization", "Bearer " + TestGateway.ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String target(HttpResponse<String> r) {
        return r.headers().firstValue("x-rosetta-target").orElse("none: " + r.statusCode());
    }

    private HttpResponse<String> post() throws Exception {
        return send("claude");
    }

    private HttpResponse<String> send(String model) throws Exception {
        return http.send(request(model), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String model) {
        return HttpRequest.newBuilder(URI.create(url() + "/v1/messages")).header("content-type", "application/json")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build();
    }

    private String url() {
        return "http://127.0.0.1:" + gateway.port();
    }
}

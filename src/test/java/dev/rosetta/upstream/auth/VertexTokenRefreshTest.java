package dev.rosetta.upstream.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.rosetta.config.ConfigLoader;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.server.Gateway;
import dev.rosetta.testing.FakeGoogleTokens;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderAnswers;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Vertex tokens that expire every few seconds under steady load: every request carries a valid token
 * the fake issued (none fails), several refreshes happen, and no event loop is blocked while the slow
 * token endpoint answers, as Vert.x's blocked-thread checker, set tight, tells (its detection is first
 * shown to work on a loop the test blocks on purpose).
 */
class VertexTokenRefreshTest {

    private static final String CHECKER = "io.vertx.core";

    private static VertxOptions tight(VertxOptions o) {
        return o.setBlockedThreadCheckInterval(20).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
                .setMaxEventLoopExecuteTime(1000).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS);
    }

    @Test
    void tokensExpireMidRunNoRequestFailsNoEventLoopBlocks() throws Exception {
        Logger checker = (Logger) LoggerFactory.getLogger(CHECKER);
        ListAppender<ILoggingEvent> warnings = new ListAppender<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getLoggerName().endsWith("BlockedThreadChecker")) {
                    super.append(e);
                }
            }
        };
        warnings.start();
        checker.addAppender(warnings);
        try (FakeUpstream fake = new FakeUpstream()) {
            provesTheCheckerIsHeard(warnings);

            FakeGoogleTokens tokens = new FakeGoogleTokens(fake);
            // A fetch on an event loop would block it for 1.5 s, past the checker's 1 s bound. (The bound leaves
            // room for a busy shared machine's scheduling stalls, which are no blocking of ours.)
            tokens.expiresIn = 8;
            tokens.delayMillis = 1500;
            List<String> refused = new CopyOnWriteArrayList<>();
            fake.answer(r -> {
                Reply token = tokens.handle(r);
                if (token != null) {
                    return token;
                }
                try {
                    tokens.check(r);
                } catch (AssertionError e) {
                    refused.add(e.getMessage());
                    return Reply.json(401, "{\"error\":{\"code\":401,\"message\":\"" + e.getMessage() + "\",\"status\":\"UNAUTHENTICATED\"}}");
                }
                return Reply.json(200, ProviderAnswers.json(Dialect.GEMINI, "ok"));
            });
            Gateway gw = Gateway.start(ConfigLoader.parse("""
                    port: 0
                    providers:
                      - name: vertex
                        type: vertex
                        base_url: %s
                        project: proj-1
                        location: us-central1
                        credentials: %s
                    models:
                      - name: m
                        provider: vertex
                        upstream_model: gemini-2.5-flash
                    """.formatted(fake.baseUrl(), tokens.file()), k -> null).withPort(0), 2, Clock.systemUTC(),
                    VertexTokenRefreshTest::tight).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 20; i++) { // warm up: the first requests load classes, which is no blocking of ours
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/v1beta/models/m:generateContent"))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
            }
            warnings.list.clear();
            AtomicInteger ok = new AtomicInteger();
            List<String> failed = new CopyOnWriteArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(16);
            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                for (int c = 0; c < 4; c++) {
                    clients.submit(() -> {
                        while (System.nanoTime() < end) { // the whole 16 s, however fast the requests go
                            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + gw.port() + "/v1beta/models/m:generateContent"))
                                    .header("content-type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            if (resp.statusCode() == 200) {
                                ok.incrementAndGet();
                            } else {
                                failed.add(resp.statusCode() + " " + resp.body());
                            }
                        }
                        return null;
                    });
                }
                clients.shutdown();
                assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                clients.shutdownNow();
                gw.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            assertThat(failed).as("failed requests").isEmpty();
            assertThat(refused).as("requests the fake refused").isEmpty();
            assertThat(ok.get()).isGreaterThan(100);
            assertThat(tokens.issued()).as("tokens issued over 16 s of 8 s tokens").isGreaterThanOrEqualTo(3);
            assertThat(warnings.list).as("blocked-thread warnings").isEmpty();
        } finally {
            checker.detachAppender(warnings);
        }
    }

    /** A loop blocked on purpose for longer than the bound is reported where the test listens. */
    private static void provesTheCheckerIsHeard(ListAppender<ILoggingEvent> warnings) throws Exception {
        Vertx probe = Vertx.vertx(tight(new VertxOptions().setEventLoopPoolSize(1)));
        try {
            probe.runOnContext(v -> {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (warnings.list.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(warnings.list).as("the checker's warning for a blocked probe loop").isNotEmpty();
        } finally {
            probe.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}

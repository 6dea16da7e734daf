package dev.rosetta.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.error.Redactor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every request ends exactly once: its own hooks, then each listener, told once, whatever fails. */
class CompletionListenerTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void hooksThenListenersAreToldOnceAndAFailingOneDoesNotStopTheOthers() throws Exception {
        List<String> told = new CopyOnWriteArrayList<>();
        int[] ended = {0};
        Replies replies = new Replies(List.of(
                ex -> { throw new IllegalStateException("a broken listener"); },
                ex -> told.add("listener status=" + ex.status())),
                () -> ended[0]++, new Redactor(List.of()));
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            Exchange ex = new Exchange(req, "req_test", System.nanoTime());
            ex.whenComplete(e -> told.add("hook"));
            ex.whenComplete(e -> { throw new IllegalStateException("a broken hook"); });
            replies.json(ex, 200, "{}".getBytes());
            replies.finish(ex, 200);
            replies.finish(ex, 499);
        });
        server.listen(0).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

        HttpResponse<String> resp = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(told).containsExactly("hook", "listener status=200");
        assertThat(ended[0]).isEqualTo(1);
    }
}

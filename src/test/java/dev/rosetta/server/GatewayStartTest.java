package dev.rosetta.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rosetta.config.DefaultConfig;
import dev.rosetta.config.GatewayConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GatewayStartTest {

    private static final GatewayConfig CONFIG = DefaultConfig.create(Map.<String, String>of()::get);

    @Test
    void aRandomPortIsSharedByEveryEventLoop() throws Exception {
        Gateway gateway = Gateway.start(CONFIG.withPort(0), 3).toCompletionStage().toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        try {
            assertThat(gateway.port()).isPositive();
            for (int i = 0; i < 6; i++) {
                // a new client each time, so the connections spread over the event loops
                HttpResponse<String> health = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
            }
        } finally {
            gateway.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPortInUseFailsTheStartInsteadOfHangingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> Gateway.start(CONFIG.withPort(taken.getLocalPort()), 2).toCompletionStage()
                    .toCompletableFuture().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    // NIO says BindException, the epoll transport a NativeIoException: both IOExceptions.
                    .hasCauseInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("Address already in use");
        }
    }
}

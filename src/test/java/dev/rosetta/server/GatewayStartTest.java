package dev.rosetta.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.config.ConfigLoader;
import dev.rosetta.config.GatewayConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GatewayStartTest {

    private static GatewayConfig config(int port) {
        return ConfigLoader.parse("""
                port: %d
                access_log: false
                providers:
                  - name: mock
                    type: mock
                models:
                  - name: m
                    provider: mock
                """.formatted(port), Map.<String, String>of()::get);
    }

    @Test
    void portZeroWithSeveralEventLoopsStartsAndEveryLoopServesTheSamePort() throws Exception {
        Gateway gateway = Gateway.start(config(0), 2).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            assertThat(gateway.port()).isPositive();
            Set<String> servers = new HashSet<>();
            for (int i = 0; i < 8 && servers.size() < 2; i++) {
                // a fresh client per call opens a fresh connection, which Vert.x hands to the next loop
                var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.port() + "/health")).build(), BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                String id = response.headers().firstValue("x-rosetta-request-id").orElseThrow();
                servers.add(id.substring(0, id.lastIndexOf('_')));
            }
            assertThat(servers).hasSize(2);
        } finally {
            gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPortInUseFailsTheStartInsteadOfHanging() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Gateway> start = Gateway.start(config(taken.getLocalPort()), 2)
                    .toCompletionStage().toCompletableFuture();

            assertThat(start).failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(java.net.BindException.class);
        }
    }
}

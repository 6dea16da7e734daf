package dev.rosetta.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Clients that misbehave on the wire (issue 6): slowloris heads and bodies are cut off at the
 * request-read bound, a client that never reads its stream holds the upstream paused rather than the
 * gateway's heap growing, and a client that disconnects at any point of a request frees the request
 * (and its upstream connection) at once. None of it affects a concurrent normal request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MisbehavingClientsTest {

    private static final long READ_TIMEOUT_MS = 500;
    private static final long MARGIN_MS = 2_000;

    private final FakeUpstream upstream = new FakeUpstream();
    private final TestGateway gateway = TestGateway.start("""
            request_read_timeout: %2$dms
            providers:
              - name: oai
                type: openai
                base_url: %1$s/v1
                api_key: ${OPENAI_API_KEY}
              - name: ant
                type: anthropic
                base_url: %1$s
                api_key: ${ANTHROPIC_API_KEY}
            models:
              - name: gpt-test
                provider: oai
              - name: claude-test
                provider: ant
                max_tokens: 64
            """.formatted(upstream.baseUrl(), READ_TIMEOUT_MS));
    private final DialectClient client = new DialectClient(gateway.url());

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void aSlowlorisHeadIsCutOffAtTheReadBoundAndOthersAreServedMeanwhile() throws Exception {
        answerNormally();
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            boolean closed = false;
            // One header byte every 50 ms, never finishing the head: each byte is activity, so only a
            // bound on the whole head stops it.
            s.setSoTimeout(50);
            InputStream in = s.getInputStream();
            while (!closed && elapsedMs(start) < READ_TIMEOUT_MS + MARGIN_MS) {
                try {
                    out.write('a');
                    out.flush();
                    closed = in.read() < 0;
                } catch (java.net.SocketTimeoutException e) {
                    // still open
                } catch (SocketException e) {
                    closed = true;
                }
                if (elapsedMs(start) > 100 && elapsedMs(start) < 200) {
                    assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "TAGduring").status()).isEqualTo(200);
                }
            }
            assertThat(closed).as("connection closed within %d ms", READ_TIMEOUT_MS + MARGIN_MS).isTrue();
            assertThat(elapsedMs(start)).isGreaterThanOrEqualTo(READ_TIMEOUT_MS - 50);
        }
        assertThat(client.send(Dialect.OPENAI_CHAT, "gpt-test", false, "TAGafter").status()).isEqualTo(200);
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheReadBound() throws Exception {
        try (Socket s = connect()) {
            long start = System.nanoTime();
            s.setSoTimeout((int) (READ_TIMEOUT_MS + MARGIN_MS));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(elapsedMs(start)).isBetween(READ_TIMEOUT_MS - 50, READ_TIMEOUT_MS + MARGIN_MS);
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAtTheReadBound() throws Exception {
        try (Socket s = connect()) {
            s.setSoTimeout((int) (READ_TIMEOUT_MS + MARGIN_MS));
            s.getOutputStream().write("GET /health HTTP/1.1\r\nhost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String answer = "";
            byte[] buf = new byte[1024];
            while (!answer.contains("{\"status\":\"ok\"}")) {
                answer += new String(buf, 0, in.read(buf), StandardCharsets.US_ASCII);
            }
            long start = System.nanoTime();
            assertThat(in.read()).isEqualTo(-1);
            assertThat(elapsedMs(start)).isBetween(READ_TIMEOUT_MS - 50, READ_TIMEOUT_MS + MARGIN_MS);
        }
    }

    @Test
    void aSlowBodyGetsA408InTheClientsDialectAndTheConnectionIsClosed() throws Exception {
        try (Socket s = connect()) {
            s.setSoTimeout((int) (READ_TIMEOUT_MS + MARGIN_MS));
            s.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nhost: x\r\nanthropic-version: 2023-06-01\r\n"
                    + "content-type: application/json\r\ncontent-length: 100\r\n\r\n{\"model\":")
                    .getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(elapsedMs(start)).isLessThan(READ_TIMEOUT_MS + MARGIN_MS);
            assertThat(answer).startsWith("HTTP/1.1 408").containsIgnoringCase("connection: close")
                    .contains("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\"")
                    .contains("did not arrive within 500ms");
        }
        awaitIdle();
    }

    /** Where a client goes away. */
    enum Point { MID_HEAD, AFTER_HEAD, MID_BODY, AWAITING_ANSWER, MID_RELAYED_STREAM, MID_CONVERTED_STREAM }

    @ParameterizedTest
    @EnumSource(Point.class)
    void aClientThatDisconnectsFreesItsRequestAndUpstream(Point point) throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        boolean stream = point == Point.MID_RELAYED_STREAM || point == Point.MID_CONVERTED_STREAM;
        upstream.answer(r -> {
            Dialect u = ProviderAnswers.dialectOf(r.path());
            List<Step> steps = new ArrayList<>();
            if (stream) {
                ProviderAnswers.opening(u, "TAGfirst").forEach(e -> steps.add(Step.write(e)));
            }
            steps.add(new Step.Await(gate));
            steps.add(Step.write(stream ? ProviderAnswers.stream(u, "TAGrest") : ProviderAnswers.json(u, "TAGlate")));
            return Reply.stream(stream ? "text/event-stream" : "application/json", steps, true);
        });
        String model = point == Point.MID_CONVERTED_STREAM ? "claude-test" : "gpt-test";
        byte[] body = DialectClient.body(Dialect.OPENAI_CHAT, model, stream, "TAGx").getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                + "content-length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            switch (point) {
                case MID_HEAD -> out.write(head, 0, head.length / 2);
                case AFTER_HEAD -> out.write(head);
                case MID_BODY -> {
                    out.write(head);
                    out.write(body, 0, body.length / 2);
                }
                default -> {
                    out.write(head);
                    out.write(body);
                }
            }
            out.flush();
            if (point == Point.AWAITING_ANSWER) {
                upstream.take();
            } else if (stream) {
                upstream.take();
                s.setSoTimeout(5_000);
                byte[] buf = new byte[8192];
                String seen = "";
                InputStream in = s.getInputStream();
                while (!seen.contains("TAGfirst")) {
                    int n = in.read(buf);
                    assertThat(n).isPositive();
                    seen += new String(buf, 0, n, StandardCharsets.UTF_8);
                }
            } else {
                Thread.sleep(50);
            }
            s.setSoLinger(true, 0);
        }
        if (point.ordinal() >= Point.AWAITING_ANSWER.ordinal()) {
            upstream.connectionClosed().get(3, TimeUnit.SECONDS);
        }
        awaitIdle();
        gate.complete(null);
        answerNormally();
        assertThat(client.send(Dialect.OPENAI_CHAT, model, stream, "TAGnext").body()).contains("TAGnext");
    }

    @Test
    void aClientThatNeverReadsARelayedStreamPausesTheUpstream() throws Exception {
        byte[] event = ProviderAnswers.delta(Dialect.OPENAI_CHAT, "x".repeat(1000)).getBytes(StandardCharsets.UTF_8);
        AtomicLong written = new AtomicLong();
        int times = 32 * 1024 * 1024 / event.length;
        upstream.answer(Reply.stream("text/event-stream", List.of(new Step.Flood(event, times, written)), true));
        byte[] body = DialectClient.body(Dialect.OPENAI_CHAT, "gpt-test", true, "TAGflood").getBytes(StandardCharsets.UTF_8);
        try (Socket s = connect()) {
            s.setReceiveBufferSize(16 * 1024);
            s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                    + "content-length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body);
            long last = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (written.get() != last && System.nanoTime() < deadline) {
                last = written.get();
                Thread.sleep(300);
            }
            assertThat(written.get()).as("bytes the upstream got to send").isLessThan((long) times * event.length / 2);
            s.setSoLinger(true, 0);
        }
        upstream.connectionClosed().get(3, TimeUnit.SECONDS);
        awaitIdle();
    }

    private void answerNormally() {
        upstream.answer(r -> {
            Dialect u = ProviderAnswers.dialectOf(r.path());
            String tag = ProviderAnswers.tag(r.bodyText());
            return ProviderAnswers.streamed(r.path(), r.bodyText())
                    ? Reply.sse(ProviderAnswers.stream(u, tag)) : Reply.json(200, ProviderAnswers.json(u, tag));
        });
    }

    private void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (gateway.gateway().inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(gateway.gateway().inFlight()).as("requests in flight").isZero();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5_000);
        return s;
    }

    /** Whether the peer closed within {@code millis} (a read returns end of stream or fails). */
    private static boolean peerClosed(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            return s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    private static long elapsedMs(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}

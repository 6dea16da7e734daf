package dev.rosetta.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code Expect: 100-continue} with a raw client (issue 18): the gateway asks for the body at once when
 * the request may go on, refuses before the body when no body is needed to refuse (a declared size over
 * the limit, a bad key), and a client that sends its body without waiting is served all the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExpectContinueTest {

    private static final String BODY = "{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private final TestGateway open = TestGateway.start("""
            port: 0
            max_body_size: 1KiB
            providers:
              - name: mock
                type: mock
            models:
              - name: mock-gpt
                provider: mock
            """);
    private final TestGateway keyed = TestGateway.withKeys();

    @AfterAll
    void stop() {
        open.close();
        keyed.close();
    }

    @Test
    void aGoodRequestIsAskedForItsBodyAtOnceAndAnswered() throws IOException {
        try (Socket s = connect(open)) {
            send(s, head("/v1/chat/completions", BODY.length(), "authorization: Bearer x\r\n"));
            // The client waits for 100 before sending anything more: with a 5 s read timeout a gateway
            // that never answers 100 fails this test instead of hanging it.
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 100 Continue");
            send(s, BODY);
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 200");
            assertThat(readBody(s.getInputStream(), head)).contains("\"chat.completion\"");
        }
    }

    @Test
    void anOversizedDeclaredBodyIs413BeforeAnyBody() throws IOException {
        try (Socket s = connect(open)) {
            send(s, head("/v1/chat/completions", 4096, ""));
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 413").doesNotContain("100 Continue");
            assertThat(readBody(s.getInputStream(), head)).contains("exceeds the gateway's limit");
        }
    }

    @Test
    void aBadKeyIs401InTheClientsDialectBeforeAnyBody() throws IOException {
        try (Socket s = connect(keyed)) {
            send(s, head("/v1/messages", BODY.length(), "x-api-key: " + TestGateway.UNKNOWN_GATEWAY_KEY
                    + "\r\nanthropic-version: 2023-06-01\r\n"));
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
            // Anthropic's error shape, since the client spoke Anthropic
            assertThat(readBody(s.getInputStream(), head)).contains("\"type\":\"error\"", "authentication_error");
        }
    }

    @Test
    void aBadKeyOnAPassedThroughPathIs401BeforeAnyBody() throws IOException {
        try (Socket s = connect(keyed)) {
            send(s, head("/v1/files", 10, "authorization: Bearer " + TestGateway.UNKNOWN_GATEWAY_KEY
                    + "\r\ncontent-type: application/octet-stream\r\n"));
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 401");
        }
    }

    @Test
    void aGoodKeyIsAskedForItsBody() throws IOException {
        try (Socket s = connect(keyed)) {
            send(s, head("/v1/chat/completions", BODY.length(), "authorization: Bearer " + TestGateway.GATEWAY_KEY + "\r\n"));
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 100 Continue");
            send(s, BODY);
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aClientThatSendsItsBodyWithoutWaitingIsServedAndNothingHangs() throws IOException {
        try (Socket s = connect(open)) {
            send(s, head("/v1/chat/completions", BODY.length(), "") + BODY);
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 100 Continue");
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 200");
            readBody(s.getInputStream(), head);
            // the connection carries a next request as usual
            send(s, head("/v1/chat/completions", BODY.length(), "") + BODY);
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 100 Continue");
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aRefusedClientThatSendsItsBodyAnywayGetsItsAnswerAndTheConnectionCloses() throws IOException {
        try (Socket s = connect(keyed)) {
            send(s, head("/v1/chat/completions", BODY.length(), "authorization: Bearer "
                    + TestGateway.UNKNOWN_GATEWAY_KEY + "\r\n") + BODY);
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 401");
            assertThat(readBody(s.getInputStream(), head)).contains("invalid_api_key");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    private static Socket connect(TestGateway gw) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", gw.port()), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static String head(String path, int length, String headers) {
        return "POST " + path + " HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: " + length
                + "\r\nexpect: 100-continue\r\n" + headers + "\r\n";
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One response head, up to and including its blank line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                break;
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    private static String readBody(InputStream in, String head) throws IOException {
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}

package dev.rosetta.limits;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Redis the limiter tests run against: {@code ROSETTA_TEST_REDIS} (default
 * {@code redis://127.0.0.1:6379}). Without one, tests that need it are skipped saying how to run them,
 * except in CI ({@code CI=true}), where they fail: there they must run. Each run uses a key prefix of
 * its own.
 */
public final class RedisTestServer {

    public static final String URL = Optional.ofNullable(System.getenv("ROSETTA_TEST_REDIS"))
            .orElse("redis://127.0.0.1:6379");
    /** Unique to this test run: keys of other runs (and of a deployment) never meet ours. */
    public static final String PREFIX = "rosetta-test:" + UUID.randomUUID() + ":";
    private static String unavailable;

    private RedisTestServer() {
    }

    /** Skips (or under CI fails) the calling test when Redis does not answer PING. */
    public static synchronized void require() {
        if (unavailable == null) {
            unavailable = ping();
        }
        if (unavailable.isEmpty()) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true: the Redis tests must run. " + unavailable);
        }
        Assumptions.abort(unavailable);
    }

    private static String ping() {
        java.net.URI uri = java.net.URI.create(URL);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), 2000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            String reply = n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII) : "";
            if (reply.startsWith("+PONG")) {
                return "";
            }
            return "Redis at " + URL + " answered PING with " + reply.strip() + ".";
        } catch (IOException e) {
            return "Redis is not answering at " + URL + " (" + e.getMessage() + "). To run these tests start one"
                    + " (e.g. redis-server --daemonize yes) or point ROSETTA_TEST_REDIS at one.";
        }
    }
}

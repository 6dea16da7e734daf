package dev.rosetta.server;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Closes connections whose client is too slow to send a request head: the time from the connection
 * opening, or from the end of its last response, to the next request's head is bounded. Vert.x's
 * idle timeout cannot catch a client that trickles its headers a byte at a time (slowloris), since
 * every byte counts as activity. (The body has its own bound, in {@link RequestRouter}.)
 *
 * <p>This needs cleartext HTTP/2 off: with it on, Vert.x creates the connection (and calls
 * {@link #connected}) only once a whole request head has arrived.
 *
 * <p>One instance per event loop; every method runs on that loop.
 */
final class SlowClientGuard {

    private static final class Watch {
        long timer = -1;
        int active;
    }

    private final Vertx vertx;
    private final long millis;
    private final Map<HttpConnection, Watch> watches = new HashMap<>();

    SlowClientGuard(Vertx vertx, Duration bound) {
        this.vertx = vertx;
        this.millis = Math.max(1, bound.toMillis());
    }

    void connected(HttpConnection connection) {
        Watch w = new Watch();
        watches.put(connection, w);
        arm(connection, w);
        connection.closeHandler(v -> {
            vertx.cancelTimer(w.timer);
            watches.remove(connection);
        });
    }

    /** A request's head has arrived: the clock stops until its response has been sent. */
    void requestStarted(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        Watch w = watches.get(connection);
        if (w == null) {
            return;
        }
        w.active++;
        vertx.cancelTimer(w.timer);
        boolean[] over = {false};
        Runnable done = () -> {
            if (!over[0]) {
                over[0] = true;
                if (--w.active == 0 && watches.containsKey(connection)) {
                    arm(connection, w);
                }
            }
        };
        request.response().bodyEndHandler(v -> done.run());
        // An HTTP/2 stream reset by the client ends the request without its response ever ending; the
        // connection lives on and is idle from then.
        request.response().exceptionHandler(e -> {
            if (request.version() == io.vertx.core.http.HttpVersion.HTTP_2) {
                done.run();
            }
        });
    }

    /**
     * Closes at once. {@link HttpConnection#close()} is a graceful shutdown in Vert.x 5 that waits for
     * the request being received, which is exactly what never completes here.
     */
    private static void close(HttpConnection connection) {
        if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
            base.channel().close();
        } else {
            connection.close();
        }
    }

    private void arm(HttpConnection connection, Watch w) {
        w.timer = vertx.setTimer(millis, id -> {
            if (w.active == 0) {
                close(connection);
            }
        });
    }
}

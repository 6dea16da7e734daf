package dev.rosetta.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rosetta.limits.RedisTestServer;
import dev.rosetta.testing.TcpProxy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The link against the real Redis: one write per event-loop turn, order, deferral, time bounds, recovery. */
class RedisLinkTest {

    private static final String SUM = "return tonumber(ARGV[1]) + tonumber(ARGV[2])";
    private static final LuaScript ECHO_SUM = LuaScript.operationsOf("sum", SUM);
    /** Two operations on one counter: add (answers the new value) and read. */
    private static final LuaScript COUNTER = LuaScript.operationsOf(
            "add", "return redis.call('INCRBY', KEYS[1], ARGV[1])",
            "read", "return tonumber(redis.call('GET', KEYS[1]) or 0)");

    private static Vertx vertx;
    private static RedisLink link;
    private static Redis direct;
    /** One event loop for every test: a link has a connection per event loop. */
    private static Context loop;

    @BeforeAll
    static void connect() {
        RedisTestServer.require();
        vertx = Vertx.vertx();
        link = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2));
        direct = Redis.createClient(vertx, RedisTestServer.URL);
        loop = vertx.getOrCreateContext();
    }

    @AfterAll
    static void close() throws Exception {
        if (vertx != null) {
            link.close().await(5, TimeUnit.SECONDS);
            vertx.close().await(5, TimeUnit.SECONDS);
        }
    }

    /** Runs {@code body} on an event loop, as the gateway's request handlers do, and waits for what it returns. */
    private static <T> T onLoop(Function<Context, Future<T>> body) throws Exception {
        Context ctx = loop;
        Promise<T> out = Promise.promise();
        ctx.runOnContext(v -> body.apply(ctx).onComplete(out));
        return out.future().await(10, TimeUnit.SECONDS);
    }

    private static String key(String name) {
        return RedisTestServer.PREFIX + "link:" + name;
    }

    @Test
    void theCommandsOfOneTurnLeaveInOneWriteAndAreAnsweredInOrder() throws Exception {
        String k = key("turn");
        onLoop(ctx -> link.send(Request.cmd(Command.PING))); // the connection is open
        long writes = link.writes();
        List<Response> answers = onLoop(ctx -> {
            List<Future<Response>> all = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                all.add(link.send(Request.cmd(Command.INCR).arg(k)));
            }
            return Future.all(all).map(cf -> cf.<Response>list());
        });
        for (int i = 0; i < 100; i++) {
            assertThat(answers.get(i).toLong()).isEqualTo(i + 1);
        }
        assertThat(link.writes() - writes).isEqualTo(1);
    }

    @Test
    void aDeferredCommandLeavesWithTheNextWriteAheadOfWhatFollowsIt() throws Exception {
        String k = key("deferred");
        onLoop(ctx -> link.send(Request.cmd(Command.PING)));
        long writes = link.writes();
        Response read = onLoop(ctx -> {
            link.later(Request.cmd(Command.SET).arg(k).arg("settled"));
            return link.send(Request.cmd(Command.GET).arg(k));
        });
        assertThat(read.toString()).isEqualTo("settled");
        assertThat(link.writes() - writes).isEqualTo(1);
    }

    @Test
    void aDeferredCommandAloneLeavesAfterTheLingerTime() throws Exception {
        String k = key("alone");
        long start = System.nanoTime();
        onLoop(ctx -> link.later(Request.cmd(Command.SET).arg(k).arg("1")));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(direct.send(Request.cmd(Command.GET).arg(k)).await(5, TimeUnit.SECONDS).toString()).isEqualTo("1");
    }

    @Test
    void callersOffTheEventLoopsAreServedInOrderToo() throws Exception {
        String k = key("offloop");
        List<Future<Response>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(i % 2 == 0 ? link.later(Request.cmd(Command.INCR).arg(k)) : link.send(Request.cmd(Command.INCR).arg(k)));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(all.get(i).await(5, TimeUnit.SECONDS).toLong()).isEqualTo(i + 1);
        }
    }

    @Test
    void scriptsAreLoadedBeforeTheirFirstUseAndAgainAfterRedisForgotThem() throws Exception {
        assertThat(onLoop(ctx -> link.eval(ECHO_SUM, "sum", List.of(), List.of("2", "3"))).toLong()).isEqualTo(5);
        direct.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).await(5, TimeUnit.SECONDS);
        // alone in its write, a script Redis forgot is loaded again and run: the caller never sees NOSCRIPT
        assertThat(onLoop(ctx -> link.eval(ECHO_SUM, "sum", List.of(), List.of("4", "5"))).toLong()).isEqualTo(9);
        direct.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).await(5, TimeUnit.SECONDS);
        // in a write with others, the write fails (which of its commands ran is unknown); the next one works
        try {
            onLoop(ctx -> Future.all(link.eval(ECHO_SUM, "sum", List.of(), List.of("1", "1")),
                    link.send(Request.cmd(Command.PING))));
        } catch (Throwable e) { // the client's ErrorType is a Throwable, not an Exception
            assertThat(e).hasMessageContaining("NOSCRIPT");
        }
        assertThat(onLoop(ctx -> link.eval(ECHO_SUM, "sum", List.of(), List.of("2", "2"))).toLong()).isEqualTo(4);
    }

    @Test
    void theCallsOneTurnMakesOfAnOperationsScriptLeaveAsOneCommandInOrderEachWithItsAnswer() throws Exception {
        String a = key("ops-a");
        String b = key("ops-b");
        onLoop(ctx -> link.eval(COUNTER, "read", List.of(a), List.of())); // connected, script loaded
        long writes = link.writes();
        long commands = link.commands();
        List<Response> answers = onLoop(ctx -> {
            List<Future<Response>> all = new ArrayList<>();
            all.add(link.evalLater(COUNTER, "add", List.of(a), List.of("5"))); // deferred, still first
            all.add(link.eval(COUNTER, "add", List.of(b), List.of("7")));
            all.add(link.send(Request.cmd(Command.PING)));
            all.add(link.eval(COUNTER, "read", List.of(a), List.of()));
            all.add(link.eval(COUNTER, "add", List.of(a), List.of("-2")));
            all.add(link.eval(COUNTER, "read", List.of(b), List.of()));
            return Future.all(all).map(cf -> cf.<Response>list());
        });
        assertThat(answers).extracting(Response::toString).containsExactly("5", "7", "PONG", "5", "3", "7");
        assertThat(link.writes() - writes).isEqualTo(1);
        assertThat(link.commands() - commands).isEqualTo(2); // the five calls merged, and the PING
    }

    @Test
    void aServerThatNeverAnswersFailsCommandsWithinTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            RedisLink mute = RedisLink.open(vertx, "redis://127.0.0.1:" + silent.getLocalPort(), Duration.ofMillis(100));
            long start = System.nanoTime();
            assertThatThrownBy(() -> onLoop(ctx -> mute.send(Request.cmd(Command.PING))))
                    .isInstanceOf(TimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            mute.close().await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCutConnectionFailsWhatWasInFlightAndIsReplacedOnceRedisIsBack() throws Exception {
        java.net.URI uri = java.net.URI.create(RedisTestServer.URL);
        try (TcpProxy proxy = new TcpProxy(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort())) {
            RedisLink cut = RedisLink.open(vertx, "redis://127.0.0.1:" + proxy.port(), Duration.ofMillis(300));
            String k = key("cut");
            assertThat(onLoop(ctx -> cut.send(Request.cmd(Command.INCR).arg(k))).toLong()).isEqualTo(1);
            proxy.cut();
            assertThatThrownBy(() -> onLoop(ctx -> cut.send(Request.cmd(Command.INCR).arg(k)))).isNotNull();
            proxy.restore();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            Long value = null;
            while (value == null && System.nanoTime() < deadline) {
                try {
                    value = onLoop(ctx -> cut.send(Request.cmd(Command.GET).arg(k))).toLong();
                } catch (Exception e) {
                    Thread.sleep(50); // still backing off
                }
            }
            assertThat(value).isEqualTo(1);
            cut.close().await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void closingWritesWhatIsStillDeferred() throws Exception {
        RedisLink closing = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2), Duration.ofSeconds(30));
        String k = key("closing");
        onLoop(ctx -> closing.send(Request.cmd(Command.PING)));
        onLoop(ctx -> {
            closing.later(Request.cmd(Command.SET).arg(k).arg("kept"));
            return Future.succeededFuture();
        });
        closing.close().await(5, TimeUnit.SECONDS);
        assertThat(direct.send(Request.cmd(Command.GET).arg(k)).await(5, TimeUnit.SECONDS).toString()).isEqualTo("kept");
        assertThatThrownBy(() -> closing.send(Request.cmd(Command.PING)).await(5, TimeUnit.SECONDS))
                .hasMessageContaining("closed");
    }

}

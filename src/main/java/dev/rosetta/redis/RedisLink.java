package dev.rosetta.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.PooledRedisConnection;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Redis, shared by everything the gateway keeps there (rate-limit counters, budget counters, the
 * response cache): a connection per event loop, pipelined, with the commands issued during one turn of
 * the event loop written to it together.
 *
 * <p>Why not the Vert.x client's pool, as before: a pooled command borrows a connection for itself and
 * its answer, so each command is a write, a read and a wake-up of its own, and the borrowing (the pool's
 * bookkeeping, a lease, a wrapper per command) costs about as much again. At 64 client connections, the
 * four scripts of a governed request cost the gateway some 60 µs of CPU. Here the requests of one turn
 * (their reservations and the settlements waiting) leave in one write and come back in one read, on the
 * event loop that asked, so no answer crosses threads. The client library still makes the connections
 * and speaks the protocol; what is written by hand is only the coalescing, which it does not offer.
 *
 * <ul>
 *   <li><b>Order.</b> The commands of one event loop reach Redis in the order they were issued, deferred
 *       ones included: a settlement issued before a reservation is applied before it.
 *   <li><b>Deferred commands</b> ({@link #later}, {@link #evalLater}): for what no request waits on (a
 *       settlement). They leave with the next write, or after {@code linger} at most.
 *   <li><b>Time bound.</b> Every command completes within {@code timeout}: answered, or failed with a
 *       {@link TimeoutException}. A connection that lets a command time out is closed and replaced (a
 *       command that timed out may still have run). While no connection can be made, commands fail at
 *       once, and a new one is tried every {@link #RETRY_MILLIS} ms.
 *   <li><b>Scripts</b> ({@link LuaScript}): the calls one turn makes of one script leave merged into one
 *       {@code EVALSHA}, so a write carries one command per script however many requests it serves.
 *   <li><b>Scripts</b> run by SHA-1; a connection loads each script ({@code SCRIPT LOAD},
 *       in the same write, ahead of its first use) before it first runs it, and again after Redis
 *       answered {@code NOSCRIPT} (its scripts flushed): a script alone in its write is then run again,
 *       one written with others fails with them.
 *   <li><b>Errors.</b> An error answer fails the commands written with it in the same batch, not only its
 *       own (the client reports a batch's errors together); the gateway's own commands answer errors
 *       only when Redis is broken.
 * </ul>
 *
 * <p>Callable from any thread; answers complete on the caller's event loop (a caller off the event loops
 * gets them on a loop of the link's own). Callers that must continue on their own Vert.x context hop with
 * {@link RedisClients#onContext}, which costs nothing on the same loop.
 */
public final class RedisLink {

    /** Back-off between attempts to connect while Redis cannot be reached. */
    static final long RETRY_MILLIS = 250;
    /** A connection attempt still unanswered after this long is abandoned and made again. */
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** At most this many commands in one write; more wait for the next turn. */
    private static final int MAX_BATCH = 512;
    /** Commands in flight on one connection: the client's waiting queue. */
    private static final int MAX_IN_FLIGHT = 8192;

    private final VertxInternal vertx;
    private final Redis client;
    private final long timeoutNanos;
    private final long lingerMillis;
    private final Map<EventLoop, Lane> lanes = new ConcurrentHashMap<>();
    private volatile Lane offLoop;
    private volatile boolean closed;
    private final List<java.util.function.Supplier<Future<Void>>> beforeClose =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.LongAdder writes = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder commands = new java.util.concurrent.atomic.LongAdder();

    private RedisLink(Vertx vertx, Redis client, Duration timeout, Duration linger) {
        this.vertx = (VertxInternal) vertx;
        this.client = client;
        this.timeoutNanos = timeout.toNanos();
        this.lingerMillis = Math.max(1, linger.toMillis());
    }

    /**
     * A link to {@code url}; connections are made on first use.
     *
     * @param timeout the longest any command may take, answer included
     * @param linger the longest a deferred command waits for a write to ride on
     */
    public static RedisLink open(Vertx vertx, String url, Duration timeout, Duration linger) {
        int connectMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis() * 20));
        RedisOptions options = new RedisOptions().setConnectionString(url)
                // connections are held, one per event loop, never returned: the pool only makes them
                .setMaxPoolSize(256).setMaxPoolWaiting(1024).setMaxWaitingHandlers(MAX_IN_FLIGHT)
                .setNetClientOptions(new NetClientOptions().setConnectTimeout(connectMillis).setTcpNoDelay(true));
        return new RedisLink(vertx, Redis.createClient(vertx, options), timeout, linger);
    }

    public static RedisLink open(Vertx vertx, String url, Duration timeout) {
        return open(vertx, url, timeout, Duration.ofMillis(2));
    }

    /** The Vert.x instance the link's connections live on. */
    public Vertx vertx() {
        return vertx;
    }

    /** Sends {@code request} with this turn's other commands. */
    public Future<Response> send(Request request) {
        return submit(request, null, null, false);
    }

    /** Sends {@code request} with the next write, or after the linger time: for what nothing waits on. */
    public Future<Response> later(Request request) {
        return submit(request, null, null, true);
    }

    /**
     * Runs operation {@code op} of {@code script} atomically in Redis: the calls of
     * this turn to the same script leave as one {@code EVALSHA}, in the order they were made, and each
     * gets its own answer. They may move relative to other commands of the same write, so such a script
     * must keep to keys no other command writes.
     */
    public Future<Response> eval(LuaScript script, String op, List<String> keys, List<String> args) {
        return submit(null, script, new LuaScript.Call(op, keys, args), false);
    }

    /** {@link #eval}, sent as {@link #later} sends. */
    public Future<Response> evalLater(LuaScript script, String op, List<String> keys, List<String> args) {
        return submit(null, script, new LuaScript.Call(op, keys, args), true);
    }

    /** Writes made to Redis since start: each carries the commands of one turn of an event loop. */
    public long writes() {
        return writes.sum();
    }

    /** Commands written since start (script loads of the link's own included). */
    public long commands() {
        return commands.sum();
    }

    /**
     * Opens a connection on the caller's event loop and loads {@code scripts} into Redis, so the first
     * requests find both. When that times out (a cold start's first connection may take longer than a
     * command may) it is tried again until {@code within} has passed; a Redis that refuses fails it at once.
     */
    public Future<Void> warm(Duration within, LuaScript... scripts) {
        Promise<Void> done = Promise.promise();
        warm(System.nanoTime() + within.toNanos(), scripts, done);
        return done.future();
    }

    private void warm(long deadline, LuaScript[] scripts, Promise<Void> done) {
        List<Future<Response>> loads = new ArrayList<>();
        for (LuaScript s : scripts) {
            loads.add(send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(s.text())));
        }
        Future.all(loads).onComplete(ar -> {
            if (ar.succeeded()) {
                done.tryComplete();
            } else if (!(ar.cause() instanceof TimeoutException) || System.nanoTime() - deadline >= 0 || closed) {
                done.tryFail(ar.cause());
            } else {
                vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)),
                        id -> warm(deadline, scripts, done));
            }
        });
    }

    /**
     * Writes what is still queued (deferred settlements included), waits for the answers (the timeout at
     * most), then closes the connections. Later commands fail at once.
     */
    public Future<Void> close() {
        Future<Void> hooks = Future.succeededFuture();
        for (java.util.function.Supplier<Future<Void>> h : beforeClose) {
            hooks = hooks.transform(x -> h.get());
        }
        return hooks.transform(x -> closeLanes());
    }

    /**
     * Runs {@code hook} when the link closes, before the last write: for what must still reach Redis.
     * Hooks run one after another, in the order they were added.
     */
    public void beforeClose(java.util.function.Supplier<Future<Void>> hook) {
        beforeClose.add(hook);
    }

    private Future<Void> closeLanes() {
        closed = true;
        List<Future<Void>> lanesClosed = new ArrayList<>();
        List<Lane> all = new ArrayList<>(lanes.values());
        if (offLoop != null) {
            all.add(offLoop);
        }
        for (Lane l : all) {
            Promise<Void> done = Promise.promise();
            l.ctx.runOnContext(v -> l.close(System.nanoTime() + timeoutNanos, done));
            lanesClosed.add(done.future());
        }
        return Future.join(lanesClosed).transform(x -> client.close());
    }

    private Future<Response> submit(Request request, LuaScript script, LuaScript.Call call, boolean deferred) {
        Pending p = new Pending(request, script, call, deferred, Promise.promise());
        if (closed) {
            p.promise.fail("the Redis link is closed");
            return p.promise.future();
        }
        ContextInternal ctx = (ContextInternal) Vertx.currentContext();
        if (ctx != null && ctx.isEventLoopContext()) {
            EventLoop loop = ctx.nettyEventLoop();
            Lane lane = lanes.get(loop);
            if (lane == null) {
                // a context of the link's own on the caller's event loop: it outlives the caller's
                lane = lanes.computeIfAbsent(loop, l -> new Lane(vertx.contextBuilder().withEventLoop(l).build()));
            }
            lane.submit(p);
        } else {
            Lane lane = offLoopLane();
            lane.ctx.runOnContext(v -> lane.submit(p));
        }
        return p.promise.future();
    }

    private Lane offLoopLane() {
        Lane l = offLoop;
        if (l == null) {
            synchronized (this) {
                if (offLoop == null) {
                    offLoop = new Lane(vertx.createEventLoopContext());
                }
                l = offLoop;
            }
        }
        return l;
    }

    /** One command, or one call of a script ({@code script} and {@code call} set, {@code request} null), waiting for its answer. */
    private record Pending(Request request, LuaScript script, LuaScript.Call call, boolean deferred,
                           Promise<Response> promise) {
    }

    /**
     * One command of a write and who waits for its answer: one pending command, or the calls of one
     * script merged into one command (its answer an array, one element a call).
     */
    private record Slot(LuaScript merged, List<Pending> calls) {

        void answer(Response r) {
            if (merged == null) {
                calls.get(0).promise.tryComplete(r);
                return;
            }
            for (int i = 0; i < calls.size(); i++) {
                calls.get(i).promise.tryComplete(r.get(i));
            }
        }

        void fail(Throwable cause) {
            for (Pending p : calls) {
                p.promise.tryFail(cause);
            }
        }

        Request request() {
            if (merged == null) {
                return calls.get(0).request;
            }
            List<LuaScript.Call> cs = new ArrayList<>(calls.size());
            for (Pending p : calls) {
                cs.add(p.call);
            }
            return merged.request(cs);
        }
    }

    /** One write: its commands in order ({@code null} for a script load of the link's own), answered together. */
    private static final class Batch {
        final List<Slot> slots;
        final long deadline;
        boolean done;

        Batch(List<Slot> slots, long deadline) {
            this.slots = slots;
            this.deadline = deadline;
        }

        void fail(Throwable cause) {
            done = true;
            for (Slot s : slots) {
                if (s != null) {
                    s.fail(cause);
                }
            }
        }
    }

    /** The connection of one event loop and what waits for it. Touched only on that event loop. */
    private final class Lane {
        final ContextInternal ctx;
        RedisConnection conn;
        boolean connecting;
        int attempt;
        long connectStarted;
        long connectDeadline;
        long retryAt;
        final Set<String> loaded = new HashSet<>();
        List<Pending> queued = new ArrayList<>();
        boolean flushScheduled;
        boolean lingering;
        final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
        boolean watching;

        Lane(ContextInternal ctx) {
            this.ctx = ctx;
        }

        void submit(Pending p) {
            if (closed) {
                p.promise.tryFail("the Redis link is closed");
                return;
            }
            if (conn == null && !connecting && retryAt != 0 && System.nanoTime() - retryAt < 0) {
                p.promise.tryFail(new java.net.ConnectException("Redis is unreachable (the link retries shortly)"));
                return;
            }
            queued.add(p);
            if (!p.deferred) {
                if (!flushScheduled) {
                    flushScheduled = true;
                    ctx.runOnContext(v -> flush());
                }
            } else if (!flushScheduled && !lingering) {
                lingering = true;
                vertx.setTimer(lingerMillis, id -> {
                    lingering = false;
                    flush();
                });
            }
        }

        void flush() {
            flushScheduled = false;
            while (!inFlight.isEmpty() && inFlight.peekFirst().done) {
                inFlight.pollFirst(); // answered: answers come in order, so these are the oldest
            }
            if (queued.isEmpty()) {
                return;
            }
            if (conn == null) {
                connect();
                return;
            }
            List<Pending> taken;
            if (queued.size() <= MAX_BATCH) {
                taken = queued;
                queued = new ArrayList<>();
            } else {
                taken = new ArrayList<>(queued.subList(0, MAX_BATCH));
                queued = new ArrayList<>(queued.subList(MAX_BATCH, queued.size()));
                flushScheduled = true;
                ctx.runOnContext(v -> flush());
            }
            List<Slot> slots = new ArrayList<>(taken.size() + 2);
            List<Slot> groups = null; // the merged calls of each script in this write
            for (Pending p : taken) {
                if (p.script != null && loaded.add(p.script.sha())) {
                    slots.add(null); // SCRIPT LOAD, ahead of the script's first use
                }
                if (p.call == null) {
                    slots.add(new Slot(null, List.of(p)));
                    continue;
                }
                Slot group = null;
                if (groups == null) {
                    groups = new ArrayList<>(2);
                } else {
                    for (Slot g : groups) {
                        if (g.merged() == p.script) {
                            group = g;
                            break;
                        }
                    }
                }
                if (group == null) {
                    group = new Slot(p.script, new ArrayList<>());
                    groups.add(group);
                    slots.add(group);
                }
                group.calls().add(p);
            }
            List<Request> requests = new ArrayList<>(slots.size());
            for (int i = 0; i < slots.size(); i++) {
                Slot slot = slots.get(i);
                requests.add(slot != null ? slot.request()
                        : Request.cmd(Command.SCRIPT).arg("LOAD").arg(slots.get(i + 1).calls().get(0).script.text()));
            }
            writes.increment();
            commands.add(requests.size());
            Batch b = new Batch(slots, System.nanoTime() + timeoutNanos);
            inFlight.add(b);
            watch();
            RedisConnection c = conn;
            if (requests.size() == 1) {
                Slot only = slots.get(0);
                c.send(requests.get(0)).onComplete(ar -> {
                    if (!b.done) {
                        b.done = true;
                        if (ar.succeeded()) {
                            only.answer(ar.result());
                        } else if (only.calls().get(0).script != null && noScript(ar.cause())) {
                            // alone in its write, so it did not run: load the script and run it again
                            loaded.clear();
                            queued.addAll(0, only.calls());
                            flush();
                        } else {
                            failed(b, ar.cause());
                        }
                    }
                });
            } else {
                c.batch(requests).onComplete(ar -> {
                    if (!b.done) {
                        b.done = true;
                        if (ar.succeeded()) {
                            List<Response> answers = ar.result();
                            for (int i = 0; i < slots.size(); i++) {
                                Slot slot = slots.get(i);
                                if (slot != null) {
                                    slot.answer(answers.get(i));
                                }
                            }
                        } else {
                            failed(b, ar.cause());
                        }
                    }
                });
            }
        }

        private static boolean noScript(Throwable cause) {
            return String.valueOf(cause.getMessage()).contains("NOSCRIPT");
        }

        private void failed(Batch b, Throwable cause) {
            if (noScript(cause)) {
                loaded.clear(); // Redis forgot its scripts: the next write loads them again
            }
            b.fail(cause);
        }

        void connect() {
            long now = System.nanoTime();
            if (connecting) {
                return;
            }
            connecting = true;
            int mine = ++attempt;
            connectStarted = now;
            connectDeadline = now + timeoutNanos;
            watch();
            client.connect().onComplete(ar -> {
                if (mine != attempt) {
                    if (ar.succeeded()) {
                        ar.result().close(); // given up on (see expire): a later attempt took over
                    }
                    return;
                }
                connecting = false;
                if (ar.failed() || closed) {
                    retryAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS);
                    failQueued(ar.failed() ? ar.cause() : new IllegalStateException("the Redis link is closed"));
                    if (ar.succeeded()) {
                        ar.result().close();
                    }
                    return;
                }
                RedisConnection c = ar.result();
                conn = c;
                loaded.clear();
                c.exceptionHandler(e -> lost(c));
                c.endHandler(v -> lost(c));
                flush();
            });
        }

        private void lost(RedisConnection c) {
            if (conn == c) {
                conn = null;
                loaded.clear();
            }
        }

        /** Fails what waits past its time: one timer per lane, set for the earliest deadline. */
        private void watch() {
            if (watching) {
                return;
            }
            long next = Long.MAX_VALUE;
            Batch head = inFlight.peekFirst();
            if (head != null) {
                next = head.deadline;
            }
            if (connecting && connectDeadline - next < 0) {
                next = connectDeadline;
            }
            if (next == Long.MAX_VALUE) {
                return;
            }
            watching = true;
            long delayMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime()) + 1);
            vertx.setTimer(delayMillis, id -> {
                watching = false;
                expire();
            });
        }

        private void expire() {
            long now = System.nanoTime();
            boolean timedOut = false;
            while (!inFlight.isEmpty()) {
                Batch b = inFlight.peekFirst();
                if (b.done) {
                    inFlight.pollFirst();
                } else if (now - b.deadline >= 0) {
                    inFlight.pollFirst();
                    b.fail(new TimeoutException("Redis did not answer within "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
                    timedOut = true;
                } else {
                    break;
                }
            }
            if (timedOut && conn != null) {
                // A connection that lets a command time out is stuck or far behind: a new one takes over.
                RedisConnection c = conn;
                conn = null;
                loaded.clear();
                if (c instanceof PooledRedisConnection pooled) {
                    pooled.actual().forceClose();
                } else {
                    c.close();
                }
            }
            if (connecting && now - connectDeadline >= 0) {
                failQueued(new TimeoutException("Redis did not accept a connection within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
                connectDeadline = now + timeoutNanos;
                if (now - connectStarted > GIVE_UP_NANOS) {
                    // a handshake that never ends (a server that accepts and stays silent): try anew later
                    attempt++;
                    connecting = false;
                    retryAt = now + TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS);
                }
            }
            watch();
        }

        private void failQueued(Throwable cause) {
            List<Pending> failed = queued;
            queued = new ArrayList<>();
            for (Pending p : failed) {
                p.promise.tryFail(cause);
            }
        }

        /** Writes what is queued, then closes once every batch is answered or {@code deadline} has passed. */
        void close(long deadline, Promise<Void> done) {
            if (conn != null && !queued.isEmpty()) {
                flush();
            }
            boolean waiting = false;
            for (Batch b : inFlight) {
                waiting |= !b.done;
            }
            if (waiting && System.nanoTime() - deadline < 0) {
                vertx.setTimer(2, id -> close(deadline, done));
                return;
            }
            failQueued(new IllegalStateException("the Redis link is closed"));
            for (Batch b : inFlight) {
                if (!b.done) {
                    b.fail(new IllegalStateException("the Redis link is closed"));
                }
            }
            inFlight.clear();
            if (conn != null) {
                conn.close();
                conn = null;
            }
            done.complete();
        }
    }
}

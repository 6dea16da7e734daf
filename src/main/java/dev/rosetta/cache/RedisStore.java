package dev.rosetta.cache;

import dev.rosetta.redis.RedisClients;
import dev.rosetta.redis.RedisLink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers in Redis, shared by every replica: one string per entry, {@code prefix + scope:digest},
 * holding the deflated {@link AnswerCodec} bytes, with Redis expiring it at the answer's expiry.
 *
 * <p>Implementation notes: calls go through the gateway's {@link RedisLink} (writes deferred to its
 * next write), each bounded by its timeout; past it, or with Redis down, a read is a miss and a write is
 * dropped (logged at most once a minute), so the request goes on as if there were no cache rather than
 * waiting. An entry larger than {@code maxEntryBytes} once compressed
 * is not stored. Results are handed back on the caller's context.
 */
public final class RedisStore implements AnswerStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
    private static final Optional<CachedAnswer> NONE = Optional.empty();

    private final RedisLink redis;
    private final String prefix;
    private final long maxEntryBytes;
    private final Clock clock;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong lastLog = new AtomicLong();

    public RedisStore(RedisLink redis, String prefix, long maxEntryBytes, Clock clock) {
        this.redis = redis;
        this.prefix = prefix;
        this.maxEntryBytes = maxEntryBytes;
        this.clock = clock;
    }

    @Override
    public Future<Optional<CachedAnswer>> get(CacheKey key) {
        Context ctx = Vertx.currentContext();
        Promise<Optional<CachedAnswer>> out = Promise.promise();
        redis.send(Request.cmd(Command.GET).arg(prefix + key.id())).onComplete(ar -> RedisClients.onContext(ctx, () -> {
            if (ar.failed()) {
                failed("read", ar.cause());
                out.complete(NONE);
                return;
            }
            Response r = ar.result();
            Optional<CachedAnswer> answer = r == null ? NONE : inflate(r.toBytes()).flatMap(AnswerCodec::read)
                    .filter(a -> a.expiresAt() > clock.millis());
            out.complete(answer);
        }));
        return out.future();
    }

    @Override
    public Future<Void> put(CacheKey key, CachedAnswer answer) {
        long ttl = answer.expiresAt() - clock.millis();
        if (ttl <= 0) {
            return Future.succeededFuture();
        }
        byte[] value = deflate(AnswerCodec.write(answer));
        if (value.length > maxEntryBytes) {
            return Future.succeededFuture();
        }
        bytes.set(value.length);
        Context ctx = Vertx.currentContext();
        Promise<Void> out = Promise.promise();
        redis.later(Request.cmd(Command.SET).arg(prefix + key.id()).arg(Buffer.buffer(value)).arg("PX").arg(ttl))
                .onComplete(ar -> RedisClients.onContext(ctx, () -> {
                    if (ar.failed()) {
                        failed("write", ar.cause());
                    }
                    out.complete();
                }));
        return out.future();
    }

    @Override
    public Future<Void> remove(CacheKey key) {
        return redis.send(Request.cmd(Command.DEL).arg(prefix + key.id())).<Void>mapEmpty().otherwiseEmpty();
    }

    @Override
    public Stats stats() {
        return new Stats(-1, bytes.get(), 0, failures.get());
    }

    @Override
    public void close() {
        // the link is the gateway's, shared with the limits and the budgets: it closes it
    }

    private void failed(String what, Throwable cause) {
        failures.incrementAndGet();
        long now = System.currentTimeMillis();
        long last = lastLog.get();
        if (now - last > 60_000 && lastLog.compareAndSet(last, now)) {
            LOG.warn("response cache: Redis {} failed ({}): served as a miss", what, cause.toString());
        }
    }

    static byte[] deflate(byte[] in) {
        Deflater d = new Deflater(Deflater.BEST_SPEED);
        try {
            d.setInput(in);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, in.length / 3));
            byte[] buf = new byte[8192];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    static Optional<byte[]> inflate(byte[] in) {
        Inflater i = new Inflater();
        try {
            i.setInput(in);
            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length * 3);
            byte[] buf = new byte[8192];
            while (!i.finished()) {
                int n = i.inflate(buf);
                if (n == 0 && (i.needsInput() || i.needsDictionary())) {
                    return Optional.empty();
                }
                out.write(buf, 0, n);
            }
            return Optional.of(out.toByteArray());
        } catch (DataFormatException e) {
            return Optional.empty();
        } finally {
            i.end();
        }
    }
}

package dev.rosetta.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Lua script shipped as a resource, run atomically in Redis by its SHA-1 ({@code EVALSHA}); sent whole
 * ({@code EVAL}) only when Redis does not know it yet ({@code NOSCRIPT}: a restarted or flushed Redis).
 * The rate limiter and the budgets run theirs through it.
 */
public record LuaScript(String text, String sha) {

    /** The resource {@code name} beside {@code owner}'s class file. */
    public static LuaScript load(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            byte[] sha = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(text, HexFormat.of().formatHex(sha));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One round trip (two the first time after Redis lost the script), failed after {@code timeoutMillis}. */
    public Future<Response> eval(Redis redis, List<String> keys, List<String> args, long timeoutMillis) {
        return redis.send(request(Command.EVALSHA, sha, keys, args))
                .recover(e -> e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT")
                        ? redis.send(request(Command.EVAL, text, keys, args))
                        : Future.failedFuture(e))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** {@code SCRIPT LOAD}: Redis keeps the script, so the first call needs no second round trip. */
    public Future<Response> preload(Redis redis) {
        return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(text));
    }

    private static Request request(Command command, String script, List<String> keys, List<String> args) {
        Request r = Request.cmd(command).arg(script).arg(keys.size());
        for (String k : keys) {
            r.arg(k);
        }
        for (String a : args) {
            r.arg(a);
        }
        return r;
    }
}

package dev.rosetta.redis;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script made of named operations (the rate limiter's and the budgets'), run atomically in Redis
 * by its SHA-1 ({@code EVALSHA}) through a {@link RedisLink}, which loads it on each connection before
 * its first use. Each operation is called on its own, but the link merges the calls one event-loop turn
 * makes of a script into one {@code EVALSHA}: each operation is a resource written as a plain script
 * ({@code KEYS} and {@code ARGV} its own, a value returned), and a dispatcher runs the calls in order
 * and returns their answers as one array. Merged calls run as one atomic script, in the order they
 * were made.
 */
public record LuaScript(String text, String sha) {

    /**
     * Runs the calls of one merged {@code EVALSHA}: ARGV[1] is their number, then per call its operation,
     * the number of its keys and of its arguments, and its arguments; KEYS holds every call's keys in turn.
     * An operation must not return nil (an array ends at its first nil).
     */
    private static final String DISPATCHER = """
            local calls = tonumber(ARGV[1])
            local out = {}
            local a, k = 2, 1
            for c = 1, calls do
              local op, nk, na = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
              local keys, args = {}, {}
              for i = 1, nk do keys[i] = KEYS[k + i - 1] end
              for i = 1, na do args[i] = ARGV[a + 2 + i] end
              out[c] = OPS[op](keys, args)
              k = k + nk
              a = a + 3 + na
            end
            return out
            """;

    /** One call of an operation: what {@link RedisLink#eval} is given. */
    public record Call(String op, List<String> keys, List<String> args) {
    }

    /**
     * One script of named operations: {@code namesAndResources} alternates an operation's name and the
     * resource beside {@code owner}'s class file that holds it.
     */
    public static LuaScript operations(Class<?> owner, String... namesAndResources) {
        if (namesAndResources.length == 0 || namesAndResources.length % 2 != 0) {
            throw new IllegalArgumentException("operations come in pairs of a name and a resource");
        }
        String[] texts = namesAndResources.clone();
        for (int i = 1; i < texts.length; i += 2) {
            texts[i] = read(owner, texts[i]);
        }
        return operationsOf(texts);
    }

    /** {@link #operations} from the operations' texts: {@code namesAndTexts} alternates a name and its Lua. */
    static LuaScript operationsOf(String... namesAndTexts) {
        StringBuilder text = new StringBuilder("local OPS = {}\n");
        for (int i = 0; i < namesAndTexts.length; i += 2) {
            text.append("OPS['").append(namesAndTexts[i]).append("'] = function(KEYS, ARGV)\n")
                    .append(namesAndTexts[i + 1]).append("\nend\n");
        }
        String script = text.append(DISPATCHER).toString();
        try {
            byte[] sha = MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(script, HexFormat.of().formatHex(sha));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One {@code EVALSHA} running {@code calls} in order; it answers an array, one answer a call. */
    public Request request(List<Call> calls) {
        int keys = 0;
        for (Call c : calls) {
            keys += c.keys().size();
        }
        Request r = Request.cmd(Command.EVALSHA).arg(sha).arg(keys);
        for (Call c : calls) {
            for (String k : c.keys()) {
                r.arg(k);
            }
        }
        r.arg(calls.size());
        for (Call c : calls) {
            r.arg(c.op()).arg(c.keys().size()).arg(c.args().size());
            for (String a : c.args()) {
                r.arg(a);
            }
        }
        return r;
    }
}

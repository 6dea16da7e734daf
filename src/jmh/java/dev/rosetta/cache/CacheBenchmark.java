package dev.rosetta.cache;

import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.StreamEncoder;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.dialect.opaque.StateSealer;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cache stage's CPU per hit, everything but the socket: the client's body (a 1.3 KB Chat request)
 * decoded into the neutral model, its key hashed, the in-process store read, and the stored answer
 * encoded for the client, as the stage does it:
 * <ul>
 *   <li>{@code jsonHit}: a 3-sentence text answer as an Anthropic JSON body (cross-dialect);</li>
 *   <li>{@code streamHit20Events}: an answer of 5 blocks (thinking, text, 3 tool calls) replayed as a
 *       20-event neutral stream and encoded as a Chat Completions SSE stream with usage;</li>
 *   <li>{@code redisValueRead}: what a Redis hit adds in CPU: inflating and reading the stored value
 *       (the round trip to Redis is not CPU and is reported apart).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheBenchmark {

    @State(Scope.Benchmark)
    public static class Stage {
        CaffeineStore store;
        OpaqueState opaque;
        byte[] body;
        byte[] streamBody;
        byte[] redisValue;
        String target = "gpt-4o-mini|openai|gpt-4o-mini";

        @Setup
        public void setUp() {
            store = new CaffeineStore(256L * 1024 * 1024, 4 * 1024 * 1024, Clock.systemUTC());
            opaque = new OpaqueState(StateSealer.generated(new SecureRandom()));
            StringBuilder sb = new StringBuilder("{\"model\":\"gpt-4o-mini\",\"max_tokens\":512,\"temperature\":0.2,"
                    + "\"messages\":[{\"role\":\"system\",\"content\":\"You are a terse assistant.\"}");
            while (sb.length() < 1300) {
                sb.append(",{\"role\":\"user\",\"content\":\"Tell me about the weather in Lisbon today, please.\"}")
                        .append(",{\"role\":\"assistant\",\"content\":\"Sunny, 21 degrees, light wind from the west.\"}");
            }
            sb.append(",{\"role\":\"user\",\"content\":\"And tomorrow?\"}]");
            body = (sb + "}").getBytes(StandardCharsets.UTF_8);
            streamBody = (sb + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}").getBytes(StandardCharsets.UTF_8);
            ChatResponse text = new ChatResponse("chatcmpl-1", "gpt-4o-mini", 1741569952,
                    List.of(ContentBlock.Text.of("Tomorrow looks cloudy in the morning. The afternoon clears up. "
                            + "Expect 19 degrees and a light breeze.")), StopReason.END_TURN, Optional.empty(),
                    new Usage(320, 0, 0, 24, 0));
            ChatResponse blocks = new ChatResponse("chatcmpl-2", "gpt-4o-mini", 1741569952, List.of(
                    new ContentBlock.Thinking("The user wants a forecast; call the tools.", Optional.of("sig")),
                    ContentBlock.Text.of("Let me check three sources."),
                    ContentBlock.ToolCall.of("call_1", "forecast", "{\"city\":\"Lisbon\",\"day\":\"tomorrow\"}"),
                    ContentBlock.ToolCall.of("call_2", "radar", "{\"city\":\"Lisbon\"}"),
                    ContentBlock.ToolCall.of("call_3", "alerts", "{\"region\":\"Lisboa\"}")),
                    StopReason.TOOL_USE, Optional.empty(), new Usage(320, 0, 0, 80, 20));
            long now = System.currentTimeMillis();
            store.put(key(body), new CachedAnswer(text, now, now + 3_600_000));
            store.put(key(streamBody), new CachedAnswer(blocks, now, now + 3_600_000));
            redisValue = RedisStore.deflate(AnswerCodec.write(new CachedAnswer(text, now, now + 3_600_000)));
        }

        CacheKey key(byte[] b) {
            ChatRequest r = Codec.of(Dialect.OPENAI_CHAT).decodeRequest(b, new DropLog());
            return new CacheKey("t=team", target, RequestKey.of(target, r), r);
        }
    }

    @Benchmark
    public byte[] jsonHit(Stage s) {
        ChatRequest r = Codec.of(Dialect.OPENAI_CHAT).decodeRequest(s.body, new DropLog());
        CacheKey k = new CacheKey("t=team", s.target, RequestKey.of(s.target, r), r);
        ChatResponse stored = s.store.get(k).result().orElseThrow().response();
        return Codec.of(Dialect.ANTHROPIC).encodeResponse(s.opaque.seal(stored, Dialect.ANTHROPIC), r, new DropLog());
    }

    @Benchmark
    public Buffer streamHit20Events(Stage s) {
        ChatRequest r = Codec.of(Dialect.OPENAI_CHAT).decodeRequest(s.streamBody, new DropLog());
        CacheKey k = new CacheKey("t=team", s.target, RequestKey.of(s.target, r), r);
        ChatResponse stored = s.store.get(k).result().orElseThrow().response();
        StreamEncoder encoder = StreamEncoder.of(Dialect.OPENAI_CHAT, new StreamEncoder.Options(r.includeUsage(), false,
                0, Map.of(), dev.rosetta.dialect.openai.ChatReasoning.NONE));
        Buffer out = Buffer.buffer(1024);
        for (StreamEvent e : s.opaque.forStream(Dialect.OPENAI_CHAT).onEvents(Replay.events(stored))) {
            for (byte[] f : encoder.onEvent(e)) {
                out.appendBytes(f);
            }
        }
        return out;
    }

    @Benchmark
    public Optional<CachedAnswer> redisValueRead(Stage s) {
        return RedisStore.inflate(s.redisValue).flatMap(AnswerCodec::read);
    }
}

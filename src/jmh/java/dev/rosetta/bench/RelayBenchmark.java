package dev.rosetta.bench;

import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.dialect.opaque.SealedMarkers;
import dev.rosetta.model.Usage;
import dev.rosetta.pipeline.RequestPeek;
import dev.rosetta.usage.JsonUsageTap;
import dev.rosetta.usage.SseUsageTap;
import dev.rosetta.usage.UsageTap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's own work on the passthrough path, without the network: reading {@code model} and
 * {@code stream} from a 4 KB request body ({@link RequestPeek}) and rewriting the model in place, and
 * reading usage from the answer as it passes ({@link JsonUsageTap} over a whole JSON answer,
 * {@link SseUsageTap} over a 20-event stream). The answer bytes sit in a Netty direct buffer, as they
 * arrive from the upstream socket.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RelayBenchmark {

    /** A typical agent turn (system prompt, 11 turns, 2 tools) as an OpenAI Chat request: about 4 KB. */
    @State(Scope.Benchmark)
    public static class Request {
        byte[] body;

        @Setup
        public void setUp() {
            body = Codec.of(Dialect.OPENAI_CHAT).encodeRequest(ConversionBenchmark.typicalRequest(), "gpt-4o-mini");
            if (SealedMarkers.presentIn(body)) {
                throw new IllegalStateException("the typical request holds no sealed state");
            }
        }
    }

    /** A provider's typical answer, whole (JSON) and streamed (20 SSE events), in a direct buffer. */
    @State(Scope.Benchmark)
    public static class Answer {
        @Param({"openai", "anthropic", "gemini"})
        public String provider;

        ProviderType format;
        Buffer json;
        Buffer sse;

        @Setup
        public void setUp() {
            Dialect dialect = switch (provider) {
                case "openai" -> Dialect.OPENAI_CHAT;
                case "anthropic" -> Dialect.ANTHROPIC;
                case "gemini" -> Dialect.GEMINI;
                default -> throw new IllegalArgumentException(provider);
            };
            format = dialect.family();
            json = direct(Codec.of(dialect).encodeResponse(ConversionBenchmark.typicalAnswer(dialect == Dialect.GEMINI)));
            sse = direct(StreamBenchmark.upstreamStream(dialect, StreamBenchmark.EVENTS));
            check(new JsonUsageTap(format), json);
            check(new SseUsageTap(format), sse);
        }

        private static void check(UsageTap tap, Buffer b) {
            tap.feed(b);
            Usage u = tap.finish();
            if (u.output() != 85) {
                throw new IllegalStateException("tap read no usage: " + u);
            }
        }

        private static Buffer direct(byte[] bytes) {
            ByteBuf buf = Unpooled.directBuffer(bytes.length);
            buf.writeBytes(bytes);
            return BufferInternal.buffer(buf);
        }
    }

    @Benchmark
    public RequestPeek peek(Request r) {
        return RequestPeek.of(r.body);
    }

    @Benchmark
    public boolean sealedMarkers(Request r) {
        return SealedMarkers.presentIn(r.body);
    }

    @Benchmark
    public byte[] peekAndRename(Request r) {
        return RequestPeek.of(r.body).withModel(r.body, "gpt-4o-mini-2024-07-18");
    }

    @Benchmark
    public Usage jsonUsageTap(Answer a) {
        UsageTap tap = new JsonUsageTap(a.format);
        tap.feed(a.json);
        return tap.finish();
    }

    @Benchmark
    public Usage sseUsageTap(Answer a) {
        UsageTap tap = new SseUsageTap(a.format);
        tap.feed(a.sse);
        return tap.finish();
    }
}

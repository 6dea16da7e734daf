package dev.rosetta.bench;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.StreamDecoder;
import dev.rosetta.dialect.StreamEncoder;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.dialect.opaque.StateSealer;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.sse.SseParser;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What converting a streamed answer costs per upstream event, as {@code StreamConversion} does it:
 * the provider's SSE bytes through the {@link SseParser}, the provider dialect's {@link StreamDecoder},
 * the sealing step ({@link OpaqueState.Stream}) and the client dialect's {@link StreamEncoder}, each
 * event's frames gathered into one Vert.x buffer as the gateway writes them.
 *
 * <p>The upstream stream is synthetic but in the provider's real wire format: a neutral answer (one
 * text block of a few-word deltas, usage, end of turn) encoded by that provider's own stream encoder,
 * with as many deltas as make exactly {@value #EVENTS} upstream SSE events, the size of the load
 * benchmark's streams. One operation is one whole stream; the score is per upstream event.
 * Same-dialect pairs are shown for reference only: the gateway relays those bytes unconverted.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StreamBenchmark {

    static final int EVENTS = 20;

    @Param({"openai_chat", "openai_responses", "anthropic", "gemini"})
    public String client;

    @Param({"openai", "anthropic", "gemini"})
    public String provider;

    private Dialect clientDialect;
    private Dialect providerDialect;
    private OpaqueState opaque;
    private ResponseContext context;
    private byte[] upstream;

    @Setup
    public void setUp() {
        clientDialect = dialect(client);
        providerDialect = switch (provider) {
            case "openai" -> clientDialect == Dialect.OPENAI_RESPONSES ? Dialect.OPENAI_RESPONSES : Dialect.OPENAI_CHAT;
            case "anthropic" -> Dialect.ANTHROPIC;
            case "gemini" -> Dialect.GEMINI;
            default -> throw new IllegalArgumentException(provider);
        };
        opaque = new OpaqueState(StateSealer.withSecret("benchmark-secret-0123456789"));
        context = new ResponseContext(1_750_000_000L, "resp_bench", 3);
        upstream = upstreamStream(providerDialect, EVENTS);
        // Fail fast if the pair does not convert cleanly: the benchmark must measure the normal path.
        List<Buffer> out = new ArrayList<>();
        convert(out::add);
        String all = String.join("", out.stream().map(Buffer::toString).toList());
        if (all.contains("\"error\":{") || all.contains("event: error") || all.contains("\"type\":\"error\"")) {
            throw new IllegalStateException(client + " <- " + provider + " produced an error frame:\n" + all);
        }
    }

    /** One whole 20-event stream, converted; the score is per upstream event. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void convertStream(Blackhole bh) {
        convert(bh::consume);
    }

    private void convert(java.util.function.Consumer<Buffer> sink) {
        StreamDecoder decoder = StreamDecoder.of(providerDialect, context);
        // The prompt estimate the gateway passes, which Anthropic and Gemini clients show until the upstream says.
        StreamEncoder encoder = StreamEncoder.of(clientDialect, new StreamEncoder.Options(false, false, 1250, java.util.Map.of(), dev.rosetta.dialect.openai.ChatReasoning.NONE));
        OpaqueState.Stream seal = opaque.forStream(clientDialect);
        SseParser parser = new SseParser(8 * 1024 * 1024,
                event -> sink.accept(frames(encoder, seal.onEvents(decoder.onEvent(event)))));
        parser.feed(upstream);
        parser.finish();
        sink.accept(frames(encoder, seal.onEvents(decoder.finish())));
        Buffer last = Buffer.buffer();
        encoder.finish().forEach(last::appendBytes);
        sink.accept(last);
    }

    private static Buffer frames(StreamEncoder encoder, List<StreamEvent> events) {
        Buffer b = Buffer.buffer();
        for (StreamEvent e : events) {
            for (byte[] f : encoder.onEvent(e)) {
                b.appendBytes(f);
            }
        }
        return b;
    }

    static Dialect dialect(String name) {
        return switch (name) {
            case "openai_chat" -> Dialect.OPENAI_CHAT;
            case "openai_responses" -> Dialect.OPENAI_RESPONSES;
            case "anthropic" -> Dialect.ANTHROPIC;
            case "gemini" -> Dialect.GEMINI;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * A provider's streamed answer of exactly {@code events} SSE events (or the nearest above), in its
     * wire format as its own encoder writes it (Chat Completions with {@code include_usage}).
     */
    static byte[] upstreamStream(Dialect provider, int events) {
        for (int deltas = 1; deltas < 200; deltas++) {
            byte[] bytes = encode(provider, deltas);
            if (countEvents(bytes) >= events) {
                return bytes;
            }
        }
        throw new IllegalStateException("could not build a " + events + "-event stream for " + provider);
    }

    private static byte[] encode(Dialect provider, int deltas) {
        StreamEncoder enc = StreamEncoder.of(provider, new StreamEncoder.Options(true, false));
        List<StreamEvent> neutral = new ArrayList<>();
        neutral.add(new StreamEvent.MessageStart("msg_bench01", "some-model", 1_750_000_000L, new Usage(1200, 0, 0, 1, 0)));
        neutral.add(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
        String[] words = {"The deploy", " failed because", " the migration", " timed out", " waiting for",
            " a lock held", " by a batch", " update on", " invoices;", " building the", " index concurrently",
            " avoids it."};
        for (int i = 0; i < deltas; i++) {
            neutral.add(new StreamEvent.TextDelta(0, words[i % words.length]));
        }
        neutral.add(new StreamEvent.BlockStop(0));
        neutral.add(new StreamEvent.UsageUpdate(new Usage(1200, 0, 0, 85, 0)));
        neutral.add(new StreamEvent.Finish(StopReason.END_TURN, Optional.empty()));
        neutral.add(new StreamEvent.MessageStop());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (StreamEvent e : neutral) {
            enc.onEvent(e).forEach(out::writeBytes);
        }
        enc.finish().forEach(out::writeBytes);
        return out.toByteArray();
    }

    static int countEvents(byte[] sse) {
        int[] n = {0};
        SseParser p = new SseParser(8 * 1024 * 1024, e -> n[0]++);
        p.feed(sse);
        p.finish();
        return n[0];
    }
}

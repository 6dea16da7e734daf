package dev.rosetta.bench;

import dev.rosetta.sse.SseParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * SSE parsing throughput. One operation parses exactly 1 MiB of a {@code text/event-stream} (a fresh
 * parser each time, fed in 16 KiB chunks as a socket would deliver them, every event dispatched and
 * consumed), so the score in ops/s is MiB/s.
 *
 * <ul>
 *   <li>{@code eol}: LF (OpenAI, Anthropic) or CRLF (Gemini) line endings.</li>
 *   <li>{@code event}: {@code small}, a ~200-byte chat chunk; {@code large}, a 64 KiB data line (a
 *       big tool-call argument or an image), the case where the parser's copy into its event buffer
 *       dominates.</li>
 *   <li>{@code input}: {@code array}, heap byte arrays; {@code direct}, Netty direct buffers wrapped
 *       in Vert.x buffers, which is what the gateway gets from its sockets.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SseParserBenchmark {

    private static final int MIB = 1024 * 1024;
    private static final int CHUNK = 16 * 1024;

    @Param({"LF", "CRLF"})
    public String eol;

    @Param({"small", "large"})
    public String event;

    @Param({"array", "direct"})
    public String input;

    private byte[] bytes;
    private List<Buffer> buffers;

    @Setup
    public void setUp() {
        String nl = eol.equals("CRLF") ? "\r\n" : "\n";
        String one = event.equals("small")
                ? "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1750000000,"
                        + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" the deploy\"},"
                        + "\"finish_reason\":null}]}" + nl + nl
                : "event: content_block_delta" + nl + "data: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\""
                        + "x".repeat(64 * 1024) + "\"}}" + nl + nl;
        StringBuilder sb = new StringBuilder(MIB + one.length());
        while (sb.length() < MIB) {
            sb.append(one);
        }
        bytes = sb.substring(0, MIB).getBytes(StandardCharsets.UTF_8);
        buffers = new ArrayList<>();
        for (int off = 0; off < MIB; off += CHUNK) {
            ByteBuf direct = Unpooled.directBuffer(CHUNK);
            direct.writeBytes(bytes, off, Math.min(CHUNK, MIB - off));
            buffers.add(BufferInternal.buffer(direct));
        }
    }

    /** Parses 1 MiB: ops/s is MiB/s. */
    @Benchmark
    public SseParser.Status parse1MiB(Blackhole bh) {
        SseParser parser = new SseParser(8 * MIB, bh::consume);
        if (input.equals("array")) {
            for (int off = 0; off < MIB; off += CHUNK) {
                parser.feed(bytes, off, Math.min(CHUNK, MIB - off));
            }
        } else {
            for (Buffer b : buffers) {
                parser.feed(b);
            }
        }
        return parser.finish();
    }
}

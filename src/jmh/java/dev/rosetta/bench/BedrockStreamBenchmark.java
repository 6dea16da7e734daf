package dev.rosetta.bench;

import dev.rosetta.upstream.bedrock.BedrockEvents;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
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
 * What reading a Bedrock stream costs before the usual relay or conversion of Anthropic events: AWS
 * event-stream frames (both CRC32s checked, headers read, the base64 {@code bytes} payload decoded)
 * turned into Anthropic SSE, as {@code SseResponse} does for each upstream chunk. One operation is one
 * whole stream of {@value #EVENTS} events, fed in chunks of {@code chunk} bytes (a frame per chunk
 * when 0); the score is per stream, to add to {@code StreamBenchmark}'s anthropic-provider row for a
 * converted Bedrock stream.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BedrockStreamBenchmark {

    static final int EVENTS = 20;

    @Param({"0", "1400", "64"})
    public int chunk;

    private List<Buffer> chunks;

    @Setup
    public void setUp() {
        List<String> events = new ArrayList<>();
        events.add("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}");
        events.add("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        while (events.size() < EVENTS - 3) {
            events.add("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a few words more \"}}");
        }
        events.add("{\"type\":\"content_block_stop\",\"index\":0}");
        events.add("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":40}}");
        events.add("{\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":25,"
                + "\"outputTokenCount\":40,\"invocationLatency\":900,\"firstByteLatency\":300}}");
        chunks = new ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (String e : events) {
            byte[] frame = frame(e);
            if (chunk == 0) {
                chunks.add(Buffer.buffer(frame));
            }
            all.writeBytes(frame);
        }
        if (chunk > 0) {
            byte[] bytes = all.toByteArray();
            for (int i = 0; i < bytes.length; i += chunk) {
                chunks.add(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk))));
            }
        }
        int out = 0;
        BedrockEvents check = new BedrockEvents();
        for (Buffer b : chunks) {
            String sse = check.feed(b).toString(StandardCharsets.UTF_8);
            for (int i = sse.indexOf("event: "); i >= 0; i = sse.indexOf("event: ", i + 1)) {
                out++;
            }
        }
        if (out != EVENTS || check.partial()) {
            throw new IllegalStateException("the stream did not decode whole: " + out + " events");
        }
    }

    @Benchmark
    public void decode(Blackhole bh) {
        BedrockEvents events = new BedrockEvents();
        for (Buffer b : chunks) {
            bh.consume(events.feed(b));
        }
    }

    static byte[] frame(String event) {
        String payload = "{\"bytes\":\"" + Base64.getEncoder().encodeToString(event.getBytes(StandardCharsets.UTF_8))
                + "\",\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN\"}";
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        header(h, ":event-type", "chunk");
        header(h, ":content-type", "application/json");
        header(h, ":message-type", "event");
        byte[] hb = h.toByteArray();
        byte[] pb = payload.getBytes(StandardCharsets.UTF_8);
        int total = 12 + hb.length + pb.length + 4;
        ByteBuffer b = ByteBuffer.allocate(total).putInt(total).putInt(hb.length);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, 8);
        b.putInt((int) crc.getValue()).put(hb).put(pb);
        crc.reset();
        crc.update(b.array(), 0, total - 4);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static void header(ByteArrayOutputStream h, String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        h.write(n.length);
        h.writeBytes(n);
        h.write(7);
        h.write(v.length >> 8);
        h.write(v.length & 0xff);
        h.writeBytes(v);
    }
}

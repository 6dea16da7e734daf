package dev.rosetta.sse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rosetta.sse.SseParser.Status;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SseWriterTest {

    @Test
    void encodesTypeIdAndOneDataLinePerLine() {
        assertThat(text(new SseEvent("message_start", "{\"a\":1}", "")))
                .isEqualTo("event: message_start\ndata: {\"a\":1}\n\n");
        assertThat(text(new SseEvent("", "one\ntwo\r\nthree\rfour", "9")))
                .isEqualTo("id: 9\ndata: one\ndata: two\ndata: three\ndata: four\n\n");
        assertThat(text(SseEvent.of(""))).isEqualTo("data:\n\n");
        assertThat(text(SseEvent.of("a\n"))).isEqualTo("data: a\ndata:\n\n");
    }

    @Test
    void appendsToAVertxBuffer() {
        Buffer out = Buffer.buffer("data: x\n\n");

        SseWriter.encode(SseEvent.of("e", "y"), out);

        assertThat(out.toString(UTF_8)).isEqualTo("data: x\n\nevent: e\ndata: y\n\n");
    }

    @Test
    void commentIsAKeepAliveTheParserCountsAndSkips() {
        assertThat(new String(SseWriter.comment("ping"), UTF_8)).isEqualTo(": ping\n\n");

        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(1024, events::add);
        parser.feed(SseWriter.comment("a\nb"));

        assertThat(events).isEmpty();
        assertThat(parser.comments()).isEqualTo(2);
        assertThat(parser.finish()).isEqualTo(Status.OK);
    }

    @Test
    void roundTripsThroughTheParser() {
        // Ids persist across events when parsed, so every event after the first id carries one.
        List<SseEvent> events = List.of(
                SseEvent.of("plain"),
                SseEvent.of(""),
                SseEvent.of("\n"),
                SseEvent.of(" leading space\n  two\ttab "),
                SseEvent.of("content_block_delta", "{\"text\":\"日本語 🎉\"}"),
                SseEvent.of("data: looks like a field\n: looks like a comment\n\nblank above"),
                new SseEvent(" spaced type", "x", "id-1"),
                new SseEvent("", "trailing newline\n", "id-2"),
                new SseEvent("message", "[DONE]", "id-2"));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        events.forEach(e -> stream.writeBytes(SseWriter.encode(e)));
        byte[] bytes = stream.toByteArray();

        assertThat(parseInRandomChunks(bytes, new Random(7))).containsExactlyElementsOf(events);
    }

    @Test
    void carriageReturnsInDataComeBackAsLineFeeds() {
        SseEvent event = SseEvent.of("a\r\nb\rc\n\rd");

        assertThat(parseInRandomChunks(SseWriter.encode(event), new Random(1)))
                .containsExactly(SseEvent.of("a\nb\nc\n\nd"));
    }

    @Test
    void eventRejectsValuesThatWouldBreakTheLine() {
        assertThatThrownBy(() -> SseEvent.of("a\nb", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SseEvent("", "x", "1\r")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SseEvent("", "x", "1\0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SseEvent("", null, "")).isInstanceOf(NullPointerException.class);
    }

    private static List<SseEvent> parseInRandomChunks(byte[] bytes, Random random) {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(1 << 16, events::add);
        for (int off = 0; off < bytes.length; ) {
            int n = Math.min(bytes.length - off, 1 + random.nextInt(8));
            assertThat(parser.feed(bytes, off, n)).isEqualTo(Status.OK);
            off += n;
        }
        assertThat(parser.finish()).isEqualTo(Status.OK);
        return events;
    }

    private static String text(SseEvent event) {
        return new String(SseWriter.encode(event), UTF_8);
    }
}

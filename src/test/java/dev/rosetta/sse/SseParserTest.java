package dev.rosetta.sse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rosetta.sse.SseParser.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private static final int MAX = 1 << 20;

    /** Everything a parse produced: compared whole, so any difference between chunkings shows. */
    record Outcome(List<SseEvent> events, Status fed, Status finished, long comments) {
    }

    // ---- line endings

    @Test
    void boundaryMarksTheEndOfTheLastCompleteEventAcrossReadsAndLineEndings() {
        List<SseEvent> events = new ArrayList<>();
        SseParser p = new SseParser(1024, events::add);
        p.feed("data: a\n\nda".getBytes(UTF_8));
        assertThat(p.boundary()).isEqualTo(9);
        p.feed("ta: b\r\n\r".getBytes(UTF_8));
        assertThat(p.boundary()).as("a CR that ends a blank line ends the event").isEqualTo(19);
        p.feed("\n: ping\n".getBytes(UTF_8));
        assertThat(p.boundary()).as("the LF of that CRLF, then a whole comment").isEqualTo(27);
        p.feed("event: x\ndata: c".getBytes(UTF_8));
        assertThat(p.boundary()).isEqualTo(27);
        p.feed("\n\n".getBytes(UTF_8));
        assertThat(p.boundary()).isEqualTo(45);
        assertThat(events).extracting(SseEvent::data).containsExactly("a", "b", "c");
    }

    @Test
    void lfCrAndCrlfGiveTheSameEvents() {
        Outcome out = parse("event: a\ndata: 1\n\ndata: 2\nid: 7\n\n");

        assertThat(out.events()).containsExactly(
                new SseEvent("a", "1", ""),
                new SseEvent("", "2", "7"));
        assertThat(out.finished()).isEqualTo(Status.OK);
    }

    @Test
    void mixedLineEndingsInOneStream() {
        Outcome out = parseExactly("data: a\r\ndata: b\rdata: c\n\r\nevent: e\rdata: d\r\r");

        assertThat(out.events()).containsExactly(
                SseEvent.of("a\nb\nc"),
                SseEvent.of("e", "d"));
        assertThat(out.finished()).isEqualTo(Status.OK);
    }

    @Test
    void crlfSplitAcrossReadsIsOneLineEnding() {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(MAX, events::add);

        parser.feed(bytes("data: a\r"));
        parser.feed(bytes("\ndata: b\r"));
        assertThat(events).as("the LF after a CR must not end a second, blank line").isEmpty();
        parser.feed(bytes("\n\r"));
        parser.feed(bytes("\n"));

        assertThat(events).containsExactly(SseEvent.of("a\nb"));
        assertThat(parser.finish()).isEqualTo(Status.OK);
    }

    @Test
    void crThenCrIsABlankLine() {
        assertThat(parseExactly("data: a\r\rdata: b\r\r").events())
                .containsExactly(SseEvent.of("a"), SseEvent.of("b"));
    }

    // ---- fields

    @Test
    void commentsAreIgnoredAndCounted() {
        Outcome out = parse(": ping\n\ndata: x\n:\n: inside an event\n\n: trailing\n");

        assertThat(out.events()).containsExactly(SseEvent.of("x"));
        assertThat(out.comments()).isEqualTo(4);
        assertThat(out.finished()).isEqualTo(Status.OK);
    }

    @Test
    void multipleDataLinesJoinWithLf() {
        assertThat(parse("data: one\ndata:\ndata: three\n\n").events())
                .containsExactly(SseEvent.of("one\n\nthree"));
    }

    @Test
    void fieldWithoutColonHasEmptyValue() {
        assertThat(parse("data\n\ndata\ndata\n\nevent\ndata: x\n\n").events())
                .containsExactly(SseEvent.of(""), SseEvent.of("\n"), SseEvent.of("x"));
    }

    @Test
    void onlyOneLeadingSpaceIsStripped() {
        assertThat(parse("data:x\n\ndata:  two\n\ndata: \n\nevent:  t\ndata:y \n\n").events())
                .containsExactly(
                        SseEvent.of("x"),
                        SseEvent.of(" two"),
                        SseEvent.of(""),
                        SseEvent.of(" t", "y "));
    }

    @Test
    void colonsInTheValueAreKept() {
        assertThat(parse("data: {\"a\":\"b:c\"}\n\n").events())
                .containsExactly(SseEvent.of("{\"a\":\"b:c\"}"));
    }

    @Test
    void eventWithoutDataIsNotDispatchedAndItsTypeDoesNotLeak() {
        assertThat(parse("event: ping\n\ndata: x\n\nevent: e\nid: 1\n\ndata: y\n\n").events())
                .containsExactly(SseEvent.of("x"), new SseEvent("", "y", "1"));
    }

    @Test
    void retryAndUnknownFieldsAreIgnored() {
        assertThat(parse("retry: 1000\nfoo: bar\nDATA: no\ndata : no\ndata: yes\n\n").events())
                .containsExactly(SseEvent.of("yes"));
    }

    @Test
    void idPersistsUntilSetAgainAndEmptyIdResetsIt() {
        assertThat(parse("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\nid\ndata: d\n\n").events())
                .containsExactly(
                        new SseEvent("", "a", "1"),
                        new SseEvent("", "b", "1"),
                        new SseEvent("", "c", "2"),
                        new SseEvent("", "d", ""));
    }

    @Test
    void idContainingNulIsIgnored() {
        assertThat(parse("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n").events())
                .containsExactly(new SseEvent("", "a", "1"), new SseEvent("", "b", "1"));
    }

    @Test
    void leadingBomIsSkippedOnlyAtStreamStart() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

        assertThat(parse(concat(bom, bytes("data: a\n\n"))).events()).containsExactly(SseEvent.of("a"));
        // A second BOM is part of the field name, which makes the field unknown.
        assertThat(parse(concat(bom, bom, bytes("data: a\n\n"))).events()).isEmpty();
        assertThat(parse(concat(bytes("data: a\n\n"), bom, bytes("data: b\n\n"))).events())
                .containsExactly(SseEvent.of("a"));
    }

    @Test
    void partialBomIsTheStartOfTheFirstLine() {
        Outcome out = parse(concat(new byte[] {(byte) 0xEF, (byte) 0xBB}, bytes("data: a\n\ndata: b\n\n")));

        assertThat(out.events()).containsExactly(SseEvent.of("b"));
        assertThat(parse(new byte[] {(byte) 0xEF, (byte) 0xBB}).finished()).isEqualTo(Status.TRUNCATED_EVENT);
    }

    @Test
    void multibyteCharactersSplitAcrossReadsDecodeWhole() {
        // parse() feeds this split at every byte, so every multibyte sequence gets cut somewhere.
        String text = "héllo 世界 🎉👩‍💻 ok";

        assertThat(parse("event: 事件\nid: 🆔\ndata: " + text + "\ndata: 二\n\n").events())
                .containsExactly(new SseEvent("事件", text + "\n二", "🆔"));
    }

    @Test
    void malformedUtf8BecomesReplacementCharacters() {
        byte[] in = concat(bytes("data: a"), new byte[] {(byte) 0xC3, (byte) 0xFF, (byte) 0xF0}, bytes("\n\n"));

        Outcome out = parse(in);

        assertThat(out.events()).hasSize(1);
        assertThat(out.events().get(0).data()).startsWith("a").contains("\uFFFD");
    }

    // ---- limits

    @Test
    void eventOverTheLimitIsATerminalErrorAndTheBufferStaysBounded() {
        int max = 64;
        byte[] in = bytes("data: small\n\ndata: " + "x".repeat(50) + "\ndata: " + "y".repeat(50)
                + "\n\ndata: after\n\n");
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(max, events::add);

        Status status = Status.OK;
        for (byte b : in) {
            status = parser.feed(new byte[] {b});
            assertThat(parser.bufferCapacity()).isLessThanOrEqualTo(max);
        }

        assertThat(status).isEqualTo(Status.EVENT_TOO_LARGE);
        assertThat(events).containsExactly(SseEvent.of("small"));
        assertThat(parser.bufferCapacity()).as("released once failed").isZero();
        assertThat(parser.finish()).isEqualTo(Status.EVENT_TOO_LARGE);
        assertThatChunkingDoesNotMatter(in, max);
    }

    @Test
    void limitCountsOneEventNotTheWholeStream() {
        // "data: abc" buffers abc plus its LF: exactly 4 bytes.
        Outcome out = parse(bytes("data: abc\n\n".repeat(100)), 4);

        assertThat(out.events()).hasSize(100);
        assertThat(out.fed()).isEqualTo(Status.OK);
        assertThat(parse(bytes("data: abcd\n\n"), 4).fed()).isEqualTo(Status.EVENT_TOO_LARGE);
    }

    @Test
    void longFieldNameCountsAgainstTheLimit() {
        assertThat(parse(bytes("x".repeat(100) + ": v\n\n"), 64).finished()).isEqualTo(Status.EVENT_TOO_LARGE);
    }

    @Test
    void commentsAndIgnoredValuesAreNotBuffered() {
        Outcome out = parse(bytes(": " + "c".repeat(2_000) + "\nretry: " + "9".repeat(2_000) + "\ndata: x\n\n"), 64);

        assertThat(out.events()).containsExactly(SseEvent.of("x"));
        assertThat(out.finished()).isEqualTo(Status.OK);
    }

    // ---- end of input

    @Test
    void finishReportsWhetherTheStreamEndedOnAnEventBoundary() {
        assertThat(parse("").finished()).isEqualTo(Status.OK);
        assertThat(parse("data: a\n\n").finished()).isEqualTo(Status.OK);
        assertThat(parse(": keep-alive").finished()).isEqualTo(Status.OK);
        assertThat(parse(bytes("\uFEFF")).finished()).isEqualTo(Status.OK);

        assertThat(parse("data: a\n").finished()).isEqualTo(Status.TRUNCATED_EVENT);
        assertThat(parse("data: a").finished()).isEqualTo(Status.TRUNCATED_EVENT);
        assertThat(parse("data:").finished()).isEqualTo(Status.TRUNCATED_EVENT);
        assertThat(parse("da").finished()).isEqualTo(Status.TRUNCATED_EVENT);
        assertThat(parse("event: x\n").finished()).isEqualTo(Status.TRUNCATED_EVENT);
        assertThat(parse("data: a\n: comment").finished()).isEqualTo(Status.TRUNCATED_EVENT);
        assertThat(parse("retry: 5\n").finished()).isEqualTo(Status.TRUNCATED_EVENT);
    }

    @Test
    void truncatedEventIsNotDispatched() {
        Outcome out = parse("data: a\n\ndata: b\n");

        assertThat(out.events()).containsExactly(SseEvent.of("a"));
        assertThat(out.finished()).isEqualTo(Status.TRUNCATED_EVENT);
    }

    @Test
    void finishIsIdempotentAndFeedAfterFinishIsABug() {
        SseParser parser = new SseParser(MAX, e -> { });
        parser.feed(bytes("data: a"));

        assertThat(parser.finish()).isEqualTo(Status.TRUNCATED_EVENT);
        assertThat(parser.finish()).isEqualTo(Status.TRUNCATED_EVENT);
        assertThatThrownBy(() -> parser.feed(bytes("\n\n"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sinkMayFinishTheParserItIsCalledFrom() {
        List<SseEvent> events = new ArrayList<>();
        SseParser[] parser = new SseParser[1];
        parser[0] = new SseParser(MAX, e -> {
            events.add(e);
            if (e.data().equals("[DONE]")) {
                parser[0].finish();
            }
        });

        Status fed = parser[0].feed(bytes("data: a\n\ndata: [DONE]\n\ndata: ignored\n\n"));

        assertThat(fed).isEqualTo(Status.OK);
        assertThat(events).containsExactly(SseEvent.of("a"), SseEvent.of("[DONE]"));
        assertThat(parser[0].finish()).isEqualTo(Status.OK);
        assertThatThrownBy(() -> parser[0].feed(bytes("\n"))).isInstanceOf(IllegalStateException.class);
    }

    // ---- input types

    @Test
    void acceptsNettyAndVertxBuffersWithoutConsumingThem() {
        byte[] in = bytes("data: a\n\ndata: b\n\n");
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(MAX, events::add);
        ByteBuf direct = Unpooled.directBuffer().writeBytes(in, 0, 5);
        ByteBuf composite = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(new byte[] {'z'}),
                Unpooled.wrappedBuffer(in, 5, 2)).skipBytes(1);
        ByteBuf heapSlice = Unpooled.wrappedBuffer(in, 6, 3).skipBytes(1);
        try {
            assertThat(parser.feed(direct)).isEqualTo(Status.OK);
            parser.feed(composite);
            parser.feed(heapSlice);
            parser.feed(Buffer.buffer(in).slice(9, in.length));

            assertThat(direct.readerIndex()).isZero();
            assertThat(heapSlice.readerIndex()).isEqualTo(1);
        } finally {
            direct.release();
        }
        assertThat(events).containsExactly(SseEvent.of("a"), SseEvent.of("b"));
    }

    @Test
    void directBufferStopsWhenTheSinkFinishesTheParser() {
        List<SseEvent> events = new ArrayList<>();
        SseParser[] parser = new SseParser[1];
        parser[0] = new SseParser(MAX, e -> {
            events.add(e);
            parser[0].finish();
        });
        ByteBuf direct = Unpooled.directBuffer().writeBytes(bytes(("data: x\n\n").repeat(2000)));
        try {
            assertThat(parser[0].feed(direct)).isEqualTo(Status.OK);
        } finally {
            direct.release();
        }
        assertThat(events).containsExactly(SseEvent.of("x"));
    }

    @Test
    void directBufferLargerThanTheFirstOneIsReadWhole() {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(MAX, events::add);
        ByteBuf small = Unpooled.directBuffer().writeBytes(bytes("da"));
        ByteBuf large = Unpooled.directBuffer().writeBytes(bytes("ta: " + "y".repeat(10_000) + "\n\n"));
        try {
            parser.feed(small);
            assertThat(parser.feed(large)).isEqualTo(Status.OK);
        } finally {
            small.release();
            large.release();
        }
        assertThat(events).containsExactly(SseEvent.of("y".repeat(10_000)));
        assertThat(parser.finish()).isEqualTo(Status.OK);
    }

    // ---- what the providers send

    @Test
    void openAiChatStream() {
        String stream = """
                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi ✋"},"finish_reason":null}]}

                : OPENROUTER PROCESSING

                data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

                data: [DONE]

                """;

        Outcome out = parse(stream);

        assertThat(out.events()).hasSize(4).allSatisfy(e -> assertThat(e.event()).isEmpty());
        assertThat(out.events().get(1).data()).contains("\"content\":\"Hi ✋\"");
        assertThat(out.events().get(3).data()).isEqualTo("[DONE]");
        assertThat(out.comments()).isEqualTo(1);
        assertThat(out.finished()).isEqualTo(Status.OK);
    }

    @Test
    void anthropicMessagesStream() {
        String stream = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","usage":{"input_tokens":25,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: ping
                data: {"type": "ping"}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

                event: message_stop
                data: {"type":"message_stop"}

                """;

        Outcome out = parse(stream);

        assertThat(out.events()).extracting(SseEvent::event).containsExactly(
                "message_start", "content_block_start", "ping", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop");
        assertThat(out.events().get(3).data()).endsWith("\"text\":\"Hello\"}}");
        assertThat(out.finished()).isEqualTo(Status.OK);
    }

    @Test
    void geminiStreamWithCrlf() {
        String stream = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}],\"role\": \"model\"}}],"
                + "\"modelVersion\": \"gemini-2.5-flash\"}\r\n\r\n"
                + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"lo\"}],\"role\": \"model\"},"
                + "\"finishReason\": \"STOP\"}],\"usageMetadata\": {\"promptTokenCount\": 4}}\r\n\r\n";

        Outcome out = parseExactly(stream);

        assertThat(out.events()).hasSize(2);
        assertThat(out.events().get(0).data()).startsWith("{\"candidates\"").endsWith("}").doesNotContain("\r");
        assertThat(out.events().get(1).data()).contains("\"finishReason\": \"STOP\"");
        assertThat(out.finished()).isEqualTo(Status.OK);
    }

    @Test
    void cutProviderStreamIsReportedAsTruncated() {
        String whole = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\"}\n\n";

        for (int cut = 1; cut < whole.length() - 1; cut++) {
            Outcome out = parse(whole.substring(0, cut));
            assertThat(out.events()).as("cut at %d", cut).isEmpty();
            assertThat(out.finished()).as("cut at %d", cut).isEqualTo(Status.TRUNCATED_EVENT);
        }
    }

    // ---- helpers

    /** Parses {@code lf} as written and with every LF turned into CR and into CRLF; all must agree. */
    private static Outcome parse(String lf) {
        Outcome out = parse(bytes(lf));
        assertThat(parse(bytes(lf.replace("\n", "\r")))).as("CR endings").isEqualTo(out);
        assertThat(parse(bytes(lf.replace("\n", "\r\n")))).as("CRLF endings").isEqualTo(out);
        return out;
    }

    /** Parses {@code text} with its line endings as they are. */
    private static Outcome parseExactly(String text) {
        return parse(bytes(text));
    }

    private static Outcome parse(byte[] in) {
        return parse(in, MAX);
    }

    private static Outcome parse(byte[] in, int max) {
        return assertThatChunkingDoesNotMatter(in, max);
    }

    /** Feeds {@code in} whole, split in two at every point, byte by byte and at random points. */
    private static Outcome assertThatChunkingDoesNotMatter(byte[] in, int max) {
        Outcome whole = feed(in, max, new int[] {in.length});
        for (int at = 0; at <= in.length; at++) {
            assertThat(feed(in, max, new int[] {at, in.length - at})).as("split at %d", at).isEqualTo(whole);
        }
        int[] ones = new int[in.length];
        Arrays.fill(ones, 1);
        assertThat(feed(in, max, ones)).as("byte by byte").isEqualTo(whole);
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            List<Integer> sizes = new ArrayList<>();
            for (int left = in.length; left > 0; ) {
                int n = 1 + random.nextInt(Math.min(left, 16));
                sizes.add(n);
                left -= n;
            }
            int[] chunks = sizes.stream().mapToInt(Integer::intValue).toArray();
            assertThat(feed(in, max, chunks)).as("random chunks %s", sizes).isEqualTo(whole);
        }
        return whole;
    }

    private static Outcome feed(byte[] in, int max, int[] chunks) {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(max, events::add);
        Status fed = Status.OK;
        int off = 0;
        for (int n : chunks) {
            // Feed from the middle of a larger array, so offsets are exercised too.
            byte[] padded = new byte[n + 2];
            System.arraycopy(in, off, padded, 1, n);
            fed = parser.feed(padded, 1, n);
            off += n;
        }
        return new Outcome(events, fed, parser.finish(), parser.comments());
    }

    static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}

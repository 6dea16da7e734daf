package dev.rosetta.sse;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An incremental, byte-level parser for a {@code text/event-stream}, following the WHATWG
 * EventSource parsing rules: CR, LF and CRLF line endings (a CRLF split across two reads is one
 * ending), comments, one optional space after the colon, multi-line data joined with "\n", an
 * {@code id} containing NUL ignored, {@code retry} and unknown fields ignored, a leading UTF-8 BOM
 * skipped, and an event without data lines not dispatched.
 *
 * <p>Push-style: feed each chunk as it arrives; every complete event is handed to the sink given at
 * construction, synchronously and in order, before {@code feed} returns. Call {@link #finish()} once
 * at end of input to learn whether the stream ended cleanly.
 *
 * <p>Not thread-safe: use one parser per stream, from one thread (its Vert.x context). It never
 * blocks and never throws on malformed input: bytes that are not UTF-8 decode to U+FFFD, and an
 * event over the size limit becomes the terminal status {@link Status#EVENT_TOO_LARGE}, after which
 * the buffer is released. An exception thrown by the sink propagates out of {@code feed}, leaving the
 * rest of that chunk unparsed; the parser itself stays consistent.
 */
public final class SseParser {

    /** What a call to {@code feed} or {@code finish} found. */
    public enum Status {
        /** From {@code feed}: keep going. From {@code finish}: the stream ended on an event boundary. */
        OK,
        /** From {@code finish}: input ended inside an event (after some of its lines, or mid-line). */
        TRUNCATED_EVENT,
        /** An event exceeded the size limit. Terminal: the parser ignores all further input. */
        EVENT_TOO_LARGE
    }

    private enum State {
        /** At stream start, matching a possible UTF-8 BOM; {@code bomMatched} bytes of it seen. */
        BOM,
        LINE_START,
        /** The previous line ended in CR; an LF now belongs to that ending. */
        AFTER_CR,
        /** Reading a field name into the buffer after the event's data. */
        FIELD_NAME,
        /** Just after the colon of a kept field; one space may follow. */
        VALUE_START,
        /** Reading the value of {@code field} into the buffer after the event's data. */
        VALUE,
        /** Discarding the rest of a comment or of an ignored field. */
        SKIP_LINE,
        FAILED,
        FINISHED
    }

    private enum Field { DATA, EVENT, ID, IGNORED }

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] BOM_BYTES = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final byte[] NO_BYTES = {};
    private static final int INITIAL_CAPACITY = 256;
    private static final int DIRECT_CHUNK = 4096;

    private final int maxEventBytes;
    private final Consumer<SseEvent> sink;

    private State state = State.BOM;
    private Field field = Field.IGNORED;
    private int bomMatched;

    /*
     * One buffer per parser. [0, dataEnd) holds the current event's data lines, each followed by LF
     * as the spec builds its data buffer; [dataEnd, size) holds the field name or value being read.
     * A data value is therefore read straight into place and never copied, and the trailing LF is
     * simply left out when the event is decoded.
     */
    private byte[] buf = NO_BYTES;
    private int size;
    private int dataEnd;

    private String eventType = "";
    private String lastEventId = "";
    /** A field line was seen since the last blank line. */
    private boolean inEvent;
    /** Bytes fed so far, and the offset just past the last complete event, comment or blank line. */
    private long consumed;
    private long boundary;
    private long comments;
    private Status finalStatus = Status.OK;
    private byte[] directChunk = NO_BYTES;

    /**
     * @param maxEventBytes the most bytes one event may buffer: its data lines with one separator
     *     each, plus the field being read. The buffer never grows past this.
     * @param sink receives each event, on the thread that calls {@code feed}
     */
    public SseParser(int maxEventBytes, Consumer<SseEvent> sink) {
        if (maxEventBytes <= 0) {
            throw new IllegalArgumentException("maxEventBytes must be positive: " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    public Status feed(byte[] in) {
        return feed(in, 0, in.length);
    }

    /**
     * Parses {@code len} bytes of {@code in} from {@code off}, dispatching every event they complete.
     *
     * @return {@link Status#OK}, or {@link Status#EVENT_TOO_LARGE} once the limit has been hit, or,
     *     if the sink called {@link #finish()} (the rest of the input is then skipped), what it returned
     * @throws IllegalStateException if called after {@link #finish()}
     */
    public Status feed(byte[] in, int off, int len) {
        Objects.checkFromIndexSize(off, len, in.length);
        if (state == State.FINISHED) {
            throw new IllegalStateException("feed after finish");
        }
        int i = off;
        int end = off + len;
        while (i < end) {
            switch (state) {
                case BOM -> i = bom(in, i);
                case LINE_START -> i = lineStart(in, i);
                case AFTER_CR -> {
                    if (in[i] == LF) {
                        i++;
                    }
                    state = State.LINE_START;
                }
                case FIELD_NAME -> i = fieldName(in, i, end);
                case VALUE_START -> {
                    if (in[i] == ' ') {
                        i++;
                    }
                    state = State.VALUE;
                }
                case VALUE -> i = value(in, i, end);
                case SKIP_LINE -> i = skipLine(in, i, end);
                // FINISHED here means the sink called finish(): the rest of the input is unwanted.
                case FAILED, FINISHED -> i = end;
            }
            if (!inEvent && (state == State.LINE_START || state == State.AFTER_CR)) {
                boundary = consumed + (i - off);
            }
        }
        consumed += len;
        return switch (state) {
            case FAILED -> Status.EVENT_TOO_LARGE;
            case FINISHED -> finalStatus;
            default -> Status.OK;
        };
    }

    /** Parses the readable bytes of {@code in} without moving its reader index. */
    public Status feed(ByteBuf in) {
        int from = in.readerIndex();
        int len = in.readableBytes();
        if (in.hasArray()) {
            return feed(in.array(), in.arrayOffset() + from, len);
        }
        if (directChunk.length < Math.min(DIRECT_CHUNK, len)) {
            directChunk = new byte[Math.min(DIRECT_CHUNK, len)];
        }
        Status status = feed(NO_BYTES, 0, 0);
        // Stop early if the parser failed, or the sink finished it (which also drops directChunk).
        for (int done = 0; done < len && state != State.FAILED && state != State.FINISHED; ) {
            int n = Math.min(directChunk.length, len - done);
            in.getBytes(from + done, directChunk, 0, n);
            status = feed(directChunk, 0, n);
            done += n;
        }
        return status;
    }

    public Status feed(Buffer in) {
        // Vert.x buffers wrap a ByteBuf; reading it directly avoids copying every chunk.
        if (in instanceof BufferInternal internal) {
            return feed(internal.getByteBuf());
        }
        return feed(in.getBytes());
    }

    /**
     * Ends the input. An event not yet terminated by a blank line is not dispatched (as the spec
     * says) but reported as {@link Status#TRUNCATED_EVENT}, so a cut stream can become an explicit
     * error. A trailing unterminated comment is not an event and still ends cleanly. Idempotent.
     *
     * @return {@link Status#OK} if the stream ended on an event boundary
     */
    public Status finish() {
        finalStatus = switch (state) {
            case FINISHED -> finalStatus;
            case FAILED -> Status.EVENT_TOO_LARGE;
            case BOM -> bomMatched == 0 ? Status.OK : Status.TRUNCATED_EVENT;
            case LINE_START, AFTER_CR, SKIP_LINE -> inEvent ? Status.TRUNCATED_EVENT : Status.OK;
            case FIELD_NAME, VALUE_START, VALUE -> Status.TRUNCATED_EVENT;
        };
        state = State.FINISHED;
        release();
        return finalStatus;
    }

    /**
     * The offset in the whole input just past the last complete event (or comment, or blank line):
     * bytes after it belong to an event not finished yet. A relay that writes only up to here never
     * hands a client half an event.
     */
    public long boundary() {
        return boundary;
    }

    /** How many comment lines were seen; a change between calls means the upstream sent a keep-alive. */
    public long comments() {
        return comments;
    }

    int bufferCapacity() {
        return buf.length;
    }

    private int bom(byte[] in, int i) {
        if (in[i] == BOM_BYTES[bomMatched]) {
            if (++bomMatched == BOM_BYTES.length) {
                state = State.LINE_START;
            }
            return i + 1;
        }
        // Not a BOM after all: the bytes matched so far start the first line.
        state = State.LINE_START;
        if (bomMatched > 0) {
            state = State.FIELD_NAME;
            append(BOM_BYTES, 0, bomMatched);
        }
        return i;
    }

    private int lineStart(byte[] in, int i) {
        byte b = in[i];
        if (b == CR || b == LF) {
            state = b == CR ? State.AFTER_CR : State.LINE_START;
            dispatch();
            return i + 1;
        }
        if (b == ':') {
            comments++;
            state = State.SKIP_LINE;
            return i + 1;
        }
        state = State.FIELD_NAME;
        return i;
    }

    private int fieldName(byte[] in, int i, int end) {
        int j = i;
        byte b = 0;
        while (j < end && (b = in[j]) != ':' && b != CR && b != LF) {
            j++;
        }
        if (!append(in, i, j - i) || j == end) {
            return end;
        }
        field = fieldOf(buf, dataEnd, size - dataEnd);
        size = dataEnd;
        inEvent = true;
        if (b == ':') {
            state = field == Field.IGNORED ? State.SKIP_LINE : State.VALUE_START;
        } else {
            endField(b);
        }
        return j + 1;
    }

    private int value(byte[] in, int i, int end) {
        int j = i;
        byte b = 0;
        while (j < end && (b = in[j]) != CR && b != LF) {
            j++;
        }
        if (!append(in, i, j - i) || j == end) {
            return end;
        }
        endField(b);
        return j + 1;
    }

    private int skipLine(byte[] in, int i, int end) {
        for (int j = i; j < end; j++) {
            byte b = in[j];
            if (b == CR || b == LF) {
                state = b == CR ? State.AFTER_CR : State.LINE_START;
                return j + 1;
            }
        }
        return end;
    }

    /** Completes the field whose value is [dataEnd, size), at the line ending {@code eol}. */
    private void endField(byte eol) {
        switch (field) {
            case DATA -> {
                if (!append(LF)) {
                    return;
                }
                dataEnd = size;
            }
            case EVENT -> eventType = decode(dataEnd, size - dataEnd);
            case ID -> {
                if (indexOfNul(dataEnd, size) < 0) {
                    lastEventId = decode(dataEnd, size - dataEnd);
                }
            }
            case IGNORED -> { }
        }
        size = dataEnd;
        state = eol == CR ? State.AFTER_CR : State.LINE_START;
    }

    private void dispatch() {
        inEvent = false;
        if (dataEnd == 0) {
            eventType = "";
            return;
        }
        SseEvent event = new SseEvent(eventType, decode(0, dataEnd - 1), lastEventId);
        size = 0;
        dataEnd = 0;
        eventType = "";
        sink.accept(event);
    }

    private static Field fieldOf(byte[] b, int off, int len) {
        return switch (len) {
            case 2 -> b[off] == 'i' && b[off + 1] == 'd' ? Field.ID : Field.IGNORED;
            case 4 -> b[off] == 'd' && b[off + 1] == 'a' && b[off + 2] == 't' && b[off + 3] == 'a'
                    ? Field.DATA : Field.IGNORED;
            case 5 -> b[off] == 'e' && b[off + 1] == 'v' && b[off + 2] == 'e' && b[off + 3] == 'n'
                    && b[off + 4] == 't' ? Field.EVENT : Field.IGNORED;
            default -> Field.IGNORED;
        };
    }

    private int indexOfNul(int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private String decode(int off, int len) {
        return len == 0 ? "" : new String(buf, off, len, StandardCharsets.UTF_8);
    }

    private boolean append(byte b) {
        if (!ensureRoom(1)) {
            return false;
        }
        buf[size++] = b;
        return true;
    }

    private boolean append(byte[] in, int off, int len) {
        if (len == 0) {
            return true;
        }
        if (!ensureRoom(len)) {
            return false;
        }
        System.arraycopy(in, off, buf, size, len);
        size += len;
        return true;
    }

    private boolean ensureRoom(int n) {
        int needed = size + n;
        if (needed > maxEventBytes || needed < 0) {
            state = State.FAILED;
            release();
            return false;
        }
        if (needed > buf.length) {
            long grown = Math.max(needed, Math.max(INITIAL_CAPACITY, 2L * buf.length));
            buf = Arrays.copyOf(buf, (int) Math.min(grown, maxEventBytes));
        }
        return true;
    }

    private void release() {
        buf = NO_BYTES;
        directChunk = NO_BYTES;
        size = 0;
        dataEnd = 0;
    }
}

package dev.rosetta.upstream.bedrock;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * AWS's binary event-stream framing, decoded incrementally: bytes arrive split anywhere, each complete
 * message is handed on as soon as its last byte is in. A message is a prelude (total length, headers
 * length, CRC32 of those 8 bytes), headers, a payload and a CRC32 of all that precedes it; both CRCs are
 * checked. Only the headers a consumer reads are kept: {@code :message-type}, {@code :event-type},
 * {@code :exception-type}.
 */
public final class EventStreamDecoder {

    /** Bound on one message (AWS's own is 16 MiB). */
    public static final int MAX_MESSAGE = 16 * 1024 * 1024;
    private static final int PRELUDE = 12;

    /** One decoded message. The payload array is the decoder's own buffer: read it within the call. */
    public interface Sink {
        void message(String messageType, String eventType, String exceptionType, byte[] buf, int payloadOffset,
                     int payloadLength);
    }

    /** A frame that is not valid event-stream (bad CRC, bad lengths, a header of an unknown type). */
    public static final class FramingException extends RuntimeException {
        FramingException(String message) {
            super(message);
        }
    }

    private final CRC32 crc = new CRC32();
    private byte[] buf = new byte[8192];
    private int start;
    private int end;

    /** Feeds bytes; calls {@code sink} for each message completed by them. */
    public void feed(byte[] bytes, int offset, int length, Sink sink) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, end, length);
        end += length;
        while (end - start >= PRELUDE) {
            int total = readInt(start);
            int headersLength = readInt(start + 4);
            if (total < PRELUDE + 4 || total > MAX_MESSAGE || headersLength < 0 || headersLength > total - PRELUDE - 4) {
                throw new FramingException("event-stream message with impossible lengths (total " + total
                        + ", headers " + headersLength + ")");
            }
            if (end - start < total) {
                ensure(total - (end - start));
                return;
            }
            crc.reset();
            crc.update(buf, start, 8);
            if ((int) crc.getValue() != readInt(start + 8)) {
                throw new FramingException("event-stream prelude CRC mismatch");
            }
            crc.reset();
            crc.update(buf, start, total - 4);
            if ((int) crc.getValue() != readInt(start + total - 4)) {
                throw new FramingException("event-stream message CRC mismatch");
            }
            decode(start, total, headersLength, sink);
            start += total;
        }
        if (start == end) {
            start = 0;
            end = 0;
        }
    }

    /** Whether bytes of an unfinished message are held. */
    public boolean partial() {
        return end > start;
    }

    private void decode(int at, int total, int headersLength, Sink sink) {
        String messageType = null;
        String eventType = null;
        String exceptionType = null;
        int p = at + PRELUDE;
        int headersEnd = p + headersLength;
        while (p < headersEnd) {
            int nameLength = buf[p++] & 0xff;
            String name = new String(buf, p, nameLength, StandardCharsets.UTF_8);
            p += nameLength;
            int type = buf[p++];
            int valueLength = switch (type) {
                case 0, 1 -> 0;
                case 2 -> 1;
                case 3 -> 2;
                case 4 -> 4;
                case 5, 8 -> 8;
                case 6, 7 -> {
                    int l = ((buf[p] & 0xff) << 8) | (buf[p + 1] & 0xff);
                    p += 2;
                    yield l;
                }
                case 9 -> 16;
                default -> throw new FramingException("event-stream header " + name + " of unknown type " + type);
            };
            if (p + valueLength > headersEnd) {
                throw new FramingException("event-stream header " + name + " runs past the headers");
            }
            if (type == 7) {
                switch (name) {
                    case ":message-type" -> messageType = new String(buf, p, valueLength, StandardCharsets.UTF_8);
                    case ":event-type" -> eventType = new String(buf, p, valueLength, StandardCharsets.UTF_8);
                    case ":exception-type" -> exceptionType = new String(buf, p, valueLength, StandardCharsets.UTF_8);
                    default -> {
                    }
                }
            }
            p += valueLength;
        }
        sink.message(messageType, eventType, exceptionType, buf, headersEnd, at + total - 4 - headersEnd);
    }

    private void ensure(int more) {
        if (end + more <= buf.length) {
            return;
        }
        int held = end - start;
        if (held + more <= buf.length && start > 0) {
            System.arraycopy(buf, start, buf, 0, held);
        } else {
            byte[] bigger = new byte[Math.max(buf.length * 2, held + more)];
            System.arraycopy(buf, start, bigger, 0, held);
            buf = bigger;
        }
        start = 0;
        end = held;
    }

    private int readInt(int at) {
        return ((buf[at] & 0xff) << 24) | ((buf[at + 1] & 0xff) << 16) | ((buf[at + 2] & 0xff) << 8) | (buf[at + 3] & 0xff);
    }
}

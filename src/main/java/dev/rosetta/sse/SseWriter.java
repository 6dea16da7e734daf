package dev.rosetta.sse;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes events as {@code text/event-stream} bytes that {@link SseParser} reads back as the same
 * event: {@code event:} only when the type is not "", {@code id:} only when the id is not "", one
 * {@code data:} line per line of data (split at CR, LF or CRLF, so a CR in data comes back as LF),
 * then a blank line. Lines end in LF.
 */
public final class SseWriter {

    private SseWriter() {
    }

    public static byte[] encode(SseEvent event) {
        return encode(event, new StringBuilder(event.data().length() + event.event().length() + 24))
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Appends the encoded event to {@code out} and returns it. */
    public static Buffer encode(SseEvent event, Buffer out) {
        return out.appendBytes(encode(event));
    }

    /** A comment line and blank line, e.g. a keep-alive; {@code text} is split like data. */
    public static byte[] comment(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 4);
        appendLines(sb, ":", text);
        return sb.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static StringBuilder encode(SseEvent event, StringBuilder sb) {
        if (!event.event().isEmpty()) {
            sb.append("event: ").append(event.event()).append('\n');
        }
        if (!event.id().isEmpty()) {
            sb.append("id: ").append(event.id()).append('\n');
        }
        appendLines(sb, "data:", event.data());
        return sb.append('\n');
    }

    private static void appendLines(StringBuilder sb, String prefix, String text) {
        int start = 0;
        int n = text.length();
        for (int i = 0; i <= n; i++) {
            char c = i < n ? text.charAt(i) : '\n';
            if (c != '\r' && c != '\n') {
                continue;
            }
            sb.append(prefix);
            if (i > start) {
                // Always one space, so a line that itself starts with a space keeps it.
                sb.append(' ').append(text, start, i);
            }
            sb.append('\n');
            if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                i++;
            }
            start = i + 1;
        }
    }
}

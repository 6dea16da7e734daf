package dev.rosetta.usage;

import dev.rosetta.model.Usage;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.pipeline.Json;
import dev.rosetta.sse.SseEvent;
import dev.rosetta.sse.SseParser;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * Usage from an SSE stream: events are parsed as they pass and only those that can carry usage
 * ({@code usage} / {@code usageMetadata}) are read as JSON.
 */
public final class SseUsageTap implements UsageTap {

    /** Events larger than this are passed on but not read for usage. */
    private static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;

    private final ProviderType format;
    private final UsageScanner scanner = new UsageScanner();
    private final SseParser parser = new SseParser(MAX_EVENT_BYTES, this::onEvent);
    private SseParser.Status status = SseParser.Status.OK;

    public SseUsageTap(ProviderType format) {
        this.format = format;
    }

    @Override
    public void feed(Buffer chunk) {
        if (status == SseParser.Status.OK) {
            status = parser.feed(chunk);
        }
    }

    @Override
    public Usage finish() {
        parser.finish();
        return scanner.usage(format);
    }

    /** Whether the stream is inside an unfinished event, so a cut here would leave a partial event. */
    public boolean midEvent() {
        return parser.midEvent();
    }

    /**
     * Reads only the {@code usage} / {@code usageMetadata} objects of the event: they are found by
     * searching the text for the key, which in valid JSON can only be a key (a quote inside a string
     * is escaped), and only they are parsed. Most events carry no usage, or {@code "usage":null}, and
     * cost no parse at all; a Gemini event, which carries its usage every time, is parsed from its
     * {@code usageMetadata} on, not from its content. The result is what scanning every token finds.
     */
    private void onEvent(SseEvent event) {
        String data = event.data();
        int from = data.indexOf("\"usage");
        if (from < 0) {
            return;
        }
        char[] chars = null;
        while (from >= 0) {
            int i = from + 6;
            if (data.startsWith("Metadata", i)) {
                i += 8;
            }
            int open = i < data.length() && data.charAt(i) == '"' ? valueStart(data, i + 1) : -1;
            if (open < 0) {
                from = data.indexOf("\"usage", i);
                continue;
            }
            if (chars == null) {
                chars = data.toCharArray();
            }
            int end = scanObject(chars, open);
            from = end < 0 ? -1 : data.indexOf("\"usage", end);
        }
    }

    /**
     * The index of the '{' (or '[': the scanner takes the first object in it, as it always did) of the
     * value after a key's closing quote, or -1 when the value is not an object.
     */
    private static int valueStart(String s, int i) {
        i = skipWhitespace(s, i);
        if (i >= s.length() || s.charAt(i) != ':') {
            return -1;
        }
        i = skipWhitespace(s, i + 1);
        return i < s.length() && (s.charAt(i) == '{' || s.charAt(i) == '[') ? i : -1;
    }

    private static int skipWhitespace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    /** Feeds the usage value at {@code open} to the scanner; returns the index just past it, or -1. */
    private int scanObject(char[] chars, int open) {
        scanner.reset();
        scanner.enterUsage();
        try (JsonParser p = Json.FACTORY.createParser(chars, open, chars.length - open)) {
            int depth = 0;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                scanner.accept(t, p);
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    depth++;
                } else if ((t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) && --depth == 0) {
                    return open + (int) p.currentLocation().getCharOffset();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not JSON after all: nothing more to count in this event.
        }
        return -1;
    }
}

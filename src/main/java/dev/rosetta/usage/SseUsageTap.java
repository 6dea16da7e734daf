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
 * ({@code usage} / {@code usageMetadata}) are read as JSON. For a Responses stream it also notes the
 * last {@code sequence_number}, so that an error event the gateway adds after a cut can continue the
 * stream's numbering: the tap is what already sees each complete event, so this costs one search of
 * the event's text, not a second parse.
 */
public final class SseUsageTap implements UsageTap {

    /** Events larger than this are passed on but not read for usage. */
    private static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;
    private static final String SEQUENCE_KEY = "\"sequence_number\"";

    private final ProviderType format;
    private final boolean sequenced;
    private final UsageScanner scanner = new UsageScanner();
    private final SseParser parser = new SseParser(MAX_EVENT_BYTES, this::onEvent);
    private SseParser.Status status = SseParser.Status.OK;
    private long fed;
    private long lastSequence = -1;
    private boolean finalSeen;

    public SseUsageTap(ProviderType format) {
        this(format, false);
    }

    /** @param sequenced whether the stream is a Responses stream, whose events are numbered */
    public SseUsageTap(ProviderType format, boolean sequenced) {
        this.format = format;
        this.sequenced = sequenced;
    }

    /**
     * The {@code sequence_number} the next event of a Responses stream takes: one past the last
     * complete event's; an event without one counts one past the one before. 0 when none has passed,
     * or when the stream is not a sequenced one. After an event too large to read the tap stops
     * reading, and the number is the one after the last event it read.
     */
    public long nextSequence() {
        return sequenced ? lastSequence + 1 : 0;
    }

    /**
     * Whether the stream's own last event has passed: {@code data: [DONE]}, a Responses
     * {@code response.completed|incomplete|failed}, Anthropic's {@code message_stop}, or a Gemini chunk with
     * a {@code finishReason}. The answer is then whole, and a connection closed after it loses nothing.
     */
    public boolean complete() {
        return finalSeen;
    }

    @Override
    public void feed(Buffer chunk) {
        fed += chunk.length();
        if (status == SseParser.Status.OK) {
            status = parser.feed(chunk);
        }
    }

    @Override
    public Usage finish() {
        parser.finish();
        return scanner.usage(format);
    }

    /**
     * The offset just past the last complete event of the bytes fed so far; once the stream is not
     * parsed any more (an event over the limit), everything fed.
     */
    public long boundary() {
        return status == SseParser.Status.OK ? parser.boundary() : fed;
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
        if (!finalSeen) {
            finalSeen = isFinal(event.event(), data);
        }
        if (sequenced) {
            lastSequence = sequenceOf(data, lastSequence + 1);
        }
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
            int end = scanFast(data, open);
            if (end == FALLBACK) {
                if (chars == null) {
                    chars = data.toCharArray();
                }
                end = scanObject(chars, open);
            }
            from = end < 0 ? -1 : data.indexOf("\"usage", end);
        }
    }

    private boolean isFinal(String name, String data) {
        return switch (format) {
            case OPENAI -> data.equals("[DONE]") || name.equals("response.completed") || name.equals("response.incomplete")
                    || name.equals("response.failed");
            case ANTHROPIC -> name.equals("message_stop");
            case GEMINI -> data.contains("\"finishReason\"");
            default -> false;
        };
    }

    /**
     * The event's {@code sequence_number}, or {@code otherwise}. Searched from the end, where the
     * OpenAI API usually writes it, so most events cost a few bytes of search; where a server writes
     * it first, the search costs what the usage search does. As there, the key found can only be a
     * key: a quote inside a string value is escaped.
     */
    private static long sequenceOf(String data, long otherwise) {
        int at = data.lastIndexOf(SEQUENCE_KEY);
        if (at < 0) {
            return otherwise;
        }
        int i = skipWhitespace(data, at + SEQUENCE_KEY.length());
        if (i >= data.length() || data.charAt(i) != ':') {
            return otherwise;
        }
        i = skipWhitespace(data, i + 1);
        long n = 0;
        int digits = 0;
        while (i < data.length() && data.charAt(i) >= '0' && data.charAt(i) <= '9' && digits < 18) {
            n = n * 10 + (data.charAt(i++) - '0');
            digits++;
        }
        return digits == 0 ? otherwise : n;
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

    private static final int FALLBACK = -2;

    /**
     * The usage value at {@code open} read by a small tokenizer over the text itself, with no parser
     * to create and no copy: enough for what usage objects hold (names without escapes, integers,
     * nested objects and arrays). Anything else (an escape in a name, a number too long for a long,
     * malformed or too deeply nested input) returns {@link #FALLBACK}, and Jackson reads the value
     * from the start; the counts already taken are maxima, so taking them twice changes nothing.
     *
     * @return the index just past the value, or {@link #FALLBACK}
     */
    private int scanFast(String s, int open) {
        scanner.reset();
        scanner.enterUsage();
        int n = s.length();
        int level = 0;
        long objects = 0;
        int i = open;
        while (true) {
            // A value starts at i.
            i = skipWhitespace(s, i);
            if (i >= n) {
                return FALLBACK;
            }
            char c = s.charAt(i);
            boolean opened = false;
            if (c == '{' || c == '[') {
                if (level == 63) {
                    return FALLBACK;
                }
                boolean object = c == '{';
                if (object) {
                    scanner.startObject();
                    objects |= 1L << level;
                } else {
                    scanner.startArray();
                    objects &= ~(1L << level);
                }
                level++;
                i = skipWhitespace(s, i + 1);
                if (i < n && s.charAt(i) == (object ? '}' : ']')) {
                    if (object) {
                        scanner.endObject();
                    } else {
                        scanner.endArray();
                    }
                    level--;
                    i++;
                } else {
                    opened = true;
                    if (object) {
                        i = key(s, i);
                        if (i < 0) {
                            return FALLBACK;
                        }
                    }
                }
            } else if (c == '"') {
                i = skipString(s, i);
                scanner.scalar();
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                i = number(s, i);
                scanner.scalar();
            } else if (s.startsWith("true", i) || s.startsWith("null", i)) {
                i += 4;
                scanner.scalar();
            } else if (s.startsWith("false", i)) {
                i += 5;
                scanner.scalar();
            } else {
                return FALLBACK;
            }
            if (i < 0) {
                return FALLBACK;
            }
            if (opened) {
                continue;
            }
            // After a value: close containers, or a comma and the next value.
            while (true) {
                if (level == 0) {
                    return i;
                }
                i = skipWhitespace(s, i);
                if (i >= n) {
                    return FALLBACK;
                }
                c = s.charAt(i);
                boolean object = (objects & (1L << (level - 1))) != 0;
                if (c == ',') {
                    i++;
                    if (object) {
                        i = key(s, skipWhitespace(s, i));
                        if (i < 0) {
                            return FALLBACK;
                        }
                    }
                    break;
                }
                if (c == (object ? '}' : ']')) {
                    if (object) {
                        scanner.endObject();
                    } else {
                        scanner.endArray();
                    }
                    level--;
                    i++;
                    continue;
                }
                return FALLBACK;
            }
        }
    }

    /** Reads {@code "name" :} at i and hands the name to the scanner; the index after the colon, or -1. */
    private int key(String s, int i) {
        if (i >= s.length() || s.charAt(i) != '"') {
            return -1;
        }
        int start = i + 1;
        int j = start;
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == '"') {
                break;
            }
            if (c == '\\' || c < 0x20) {
                return -1;
            }
            j++;
        }
        if (j >= s.length()) {
            return -1;
        }
        String name = UsageScanner.OTHER_NAME;
        int len = j - start;
        for (String known : UsageScanner.KNOWN_NAMES) {
            if (known.length() == len && s.regionMatches(start, known, 0, len)) {
                name = known;
                break;
            }
        }
        scanner.fieldName(name);
        j = skipWhitespace(s, j + 1);
        return j < s.length() && s.charAt(j) == ':' ? j + 1 : -1;
    }

    /** The index after the string starting at the quote at i, or -1. */
    private static int skipString(String s, int i) {
        for (int j = i + 1; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '"') {
                return j + 1;
            }
            if (c == '\\') {
                j++;
            } else if (c < 0x20) {
                return -1;
            }
        }
        return -1;
    }

    /** Reads a number at i, counting it if it is an integer the scanner wants; the index after it, or -1. */
    private int number(String s, int i) {
        int j = i;
        if (s.charAt(j) == '-') {
            j++;
        }
        int digits = j;
        while (j < s.length() && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
            j++;
        }
        int count = j - digits;
        if (count == 0 || count > 18 || (count > 1 && s.charAt(digits) == '0')) {
            return -1;
        }
        if (j < s.length() && (s.charAt(j) == '.' || s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
            return -1;
        }
        if (scanner.wantsInt()) {
            scanner.intValue(Long.parseLong(s, i, j, 10));
        }
        return j;
    }
}

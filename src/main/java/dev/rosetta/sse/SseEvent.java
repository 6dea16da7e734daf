package dev.rosetta.sse;

import java.util.Objects;

/**
 * One server-sent event.
 *
 * @param event the event type, or "" when the event had no {@code event:} field (treat "" as "message")
 * @param data the {@code data:} lines joined with "\n"
 * @param id the last event ID in effect when the event was dispatched, or "" if none was ever set.
 *     As in the WHATWG spec, an {@code id:} persists across later events until it is set again.
 */
public record SseEvent(String event, String data, String id) {

    /** @throws IllegalArgumentException if {@code event} or {@code id} holds CR or LF, or {@code id} holds NUL */
    public SseEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(id, "id");
        // Either would end the line early on the wire and let the value inject fields.
        if (hasAny(event, false)) {
            throw new IllegalArgumentException("event type contains CR or LF");
        }
        if (hasAny(id, true)) {
            throw new IllegalArgumentException("id contains CR, LF or NUL");
        }
    }

    /** An event of the default type ("message") without an id. */
    public static SseEvent of(String data) {
        return new SseEvent("", data, "");
    }

    /** An event of the given type without an id. */
    public static SseEvent of(String event, String data) {
        return new SseEvent(event, data, "");
    }

    private static boolean hasAny(String s, boolean nul) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || (nul && c == '\0')) {
                return true;
            }
        }
        return false;
    }
}

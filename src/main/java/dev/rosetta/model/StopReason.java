package dev.rosetta.model;

import java.util.Optional;

/**
 * Why generation stopped, with its name in each dialect (mapping.md §8). Decoding maps every wire
 * value to a constant; encoding uses that constant's name for the target.
 */
public enum StopReason {
    END_TURN("stop", "", "end_turn", "STOP"),
    STOP_SEQUENCE("stop", "", "stop_sequence", "STOP"),
    MAX_TOKENS("length", "max_output_tokens", "max_tokens", "MAX_TOKENS"),
    CONTEXT_WINDOW_EXCEEDED("length", "max_output_tokens", "model_context_window_exceeded", "MAX_TOKENS"),
    TOOL_USE("tool_calls", "", "tool_use", "STOP"),
    CONTENT_FILTER("content_filter", "content_filter", "refusal", "SAFETY"),
    REFUSAL("content_filter", "content_filter", "refusal", "SAFETY"),
    PAUSE_TURN("stop", "", "pause_turn", "STOP"),
    /** The provider gave up (Gemini MALFORMED_FUNCTION_CALL, OTHER, ...). */
    ERROR("stop", "", "end_turn", "OTHER");

    private final String openAi;
    private final String responsesIncompleteReason;
    private final String anthropic;
    private final String gemini;

    StopReason(String openAi, String responsesIncompleteReason, String anthropic, String gemini) {
        this.openAi = openAi;
        this.responsesIncompleteReason = responsesIncompleteReason;
        this.anthropic = anthropic;
        this.gemini = gemini;
    }

    /** Chat Completions {@code finish_reason}. */
    public String openAi() {
        return openAi;
    }

    /** Responses {@code incomplete_details.reason}; empty when the status is {@code completed}. */
    public Optional<String> responsesIncompleteReason() {
        return responsesIncompleteReason.isEmpty() ? Optional.empty() : Optional.of(responsesIncompleteReason);
    }

    /** Responses {@code status}. */
    public String responsesStatus() {
        return responsesIncompleteReason.isEmpty() ? "completed" : "incomplete";
    }

    public String anthropic() {
        return anthropic;
    }

    public String gemini() {
        return gemini;
    }

    /** Whether a dialect that reports calls by content alone (Gemini, Responses) must be told "tool use". */
    public boolean overridableByToolCalls() {
        return this == END_TURN || this == STOP_SEQUENCE || this == PAUSE_TURN || this == ERROR;
    }

    public static StopReason fromOpenAi(String wire) {
        return switch (wire) {
            case "length" -> MAX_TOKENS;
            case "tool_calls", "function_call" -> TOOL_USE;
            case "content_filter" -> CONTENT_FILTER;
            default -> END_TURN;
        };
    }

    public static StopReason fromAnthropic(String wire) {
        for (StopReason r : values()) {
            if (r.anthropic.equals(wire) && r != ERROR && r != CONTENT_FILTER) {
                return r;
            }
        }
        return END_TURN;
    }

    public static StopReason fromGemini(String wire) {
        return switch (wire) {
            case "STOP" -> END_TURN;
            case "MAX_TOKENS" -> MAX_TOKENS;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE", "IMAGE_SAFETY",
                 "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "IMAGE_OTHER" -> CONTENT_FILTER;
            default -> ERROR;
        };
    }

    /** From a Responses {@code status} and {@code incomplete_details.reason}. */
    public static StopReason fromResponses(String status, Optional<String> incompleteReason) {
        if (!"incomplete".equals(status)) {
            return "failed".equals(status) ? ERROR : END_TURN;
        }
        return incompleteReason.filter("content_filter"::equals).isPresent() ? CONTENT_FILTER : MAX_TOKENS;
    }
}

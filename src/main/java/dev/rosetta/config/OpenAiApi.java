package dev.rosetta.config;

import java.util.Optional;

/** Which OpenAI API Rosetta calls an OpenAI-type provider with when it converts. */
public enum OpenAiApi {
    /** Chat Completions: what OpenAI-compatible servers (vLLM, Ollama, DeepSeek...) speak. */
    CHAT,
    /** The Responses API: some OpenAI models are only there. */
    RESPONSES;

    static Optional<OpenAiApi> fromWireName(String s) {
        return switch (s) {
            case "chat" -> Optional.of(CHAT);
            case "responses" -> Optional.of(RESPONSES);
            default -> Optional.empty();
        };
    }
}

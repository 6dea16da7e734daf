package dev.rosetta.config;

import java.util.Locale;
import java.util.Optional;

/** OpenAI-compatible servers whose quirks an {@code openai} provider honours with {@code compat:}. */
public enum Compat {
    OLLAMA, VLLM, OPENROUTER, DEEPSEEK, GROQ, MISTRAL, XAI, TOGETHER, FIREWORKS;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Compat> fromWireName(String name) {
        for (Compat c : values()) {
            if (c.wireName().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}

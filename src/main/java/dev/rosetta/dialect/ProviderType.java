package dev.rosetta.dialect;

import java.util.Locale;
import java.util.Optional;

/** The kind of upstream a provider is: which wire format it speaks and how it authenticates. */
public enum ProviderType {
    OPENAI("https://api.openai.com/v1"),
    ANTHROPIC("https://api.anthropic.com"),
    GEMINI("https://generativelanguage.googleapis.com"),
    /** Built-in offline provider that answers deterministically in the client's own dialect. */
    MOCK("");

    private final String defaultBaseUrl;

    ProviderType(String defaultBaseUrl) {
        this.defaultBaseUrl = defaultBaseUrl;
    }

    /** The official base URL, in the form the provider's official SDK takes it. */
    public String defaultBaseUrl() {
        return defaultBaseUrl;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ProviderType> fromWireName(String name) {
        for (ProviderType t : values()) {
            if (t.wireName().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}

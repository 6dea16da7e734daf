package dev.rosetta.dialect;

/**
 * A client-facing API dialect. The dialect of a request is chosen by its path; the dialect of an
 * upstream call by the provider's {@link ProviderType} (and, for OpenAI, by the API it is told to use).
 */
public enum Dialect {
    OPENAI_CHAT(ProviderType.OPENAI),
    OPENAI_RESPONSES(ProviderType.OPENAI),
    ANTHROPIC(ProviderType.ANTHROPIC),
    GEMINI(ProviderType.GEMINI);

    private final ProviderType family;

    Dialect(ProviderType family) {
        this.family = family;
    }

    /** The provider type whose native API this dialect is. */
    public ProviderType family() {
        return family;
    }
}

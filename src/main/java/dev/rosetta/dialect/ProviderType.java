package dev.rosetta.dialect;

import java.util.Locale;
import java.util.Optional;

/** The kind of upstream a provider is: which wire format it speaks and how it authenticates. */
public enum ProviderType {
    OPENAI("https://api.openai.com/v1"),
    ANTHROPIC("https://api.anthropic.com"),
    GEMINI("https://generativelanguage.googleapis.com"),
    /** Built-in offline provider that answers deterministically in the client's own dialect. */
    MOCK(""),
    /** OpenAI's models on Azure: OpenAI's dialect, Azure's addressing (deployments) and auth. */
    AZURE_OPENAI(""),
    /** Google Cloud Vertex AI: Gemini (Gemini's dialect) and Claude (Anthropic's), OAuth2 tokens. */
    VERTEX(""),
    /** Amazon Bedrock: Claude in Anthropic's dialect, SigV4 or API-key auth, AWS event-stream framing. */
    BEDROCK("");

    private final String defaultBaseUrl;

    ProviderType(String defaultBaseUrl) {
        this.defaultBaseUrl = defaultBaseUrl;
    }

    /** The official base URL, in the form the provider's official SDK takes it. */
    public String defaultBaseUrl() {
        return defaultBaseUrl;
    }

    /**
     * The first-party type whose dialect this type speaks for a model: a platform type speaks one of
     * OpenAI's, Anthropic's or Gemini's with its own addressing, auth and framing. On Vertex the
     * publisher decides: {@code anthropic} (or a {@code claude-*} model id) is Anthropic's, else Google's.
     */
    public ProviderType family(String upstreamModel, java.util.Optional<String> publisher) {
        return switch (this) {
            case AZURE_OPENAI -> OPENAI;
            case BEDROCK -> ANTHROPIC;
            case VERTEX -> "anthropic".equals(vertexPublisher(upstreamModel, publisher)) ? ANTHROPIC : GEMINI;
            default -> this;
        };
    }

    /** The Vertex publisher of a model: the configured one, else {@code anthropic} for {@code claude-*}, else {@code google}. */
    public static String vertexPublisher(String upstreamModel, java.util.Optional<String> publisher) {
        return publisher.orElseGet(() -> upstreamModel.startsWith("claude") ? "anthropic" : "google");
    }

    /** Whether this is one of the first-party types (whose dialect it names). */
    public boolean firstParty() {
        return this == OPENAI || this == ANTHROPIC || this == GEMINI;
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

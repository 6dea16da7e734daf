package dev.rosetta.upstream;

import dev.rosetta.config.ProviderConfig;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.dialect.ProviderType;
import io.vertx.core.MultiMap;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * How to address a provider: the URL of an operation and the headers of an upstream request. Client
 * credentials never cross; the provider's own key goes in the provider's own header.
 */
public final class ProviderRequests {

    public static final String USER_AGENT = "rosetta/0.1";
    public static final String DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

    private ProviderRequests() {
    }

    /**
     * The upstream URL for an endpoint of the provider's own dialect.
     *
     * @param geminiVersion the API version the client used ({@code v1beta} or {@code v1})
     * @param sse for Gemini streams: whether the client asked for {@code alt=sse}
     */
    public static String url(ProviderConfig provider, Endpoint endpoint, String upstreamModel, String geminiVersion,
                             boolean sse) {
        return switch (provider.type()) {
            case GEMINI -> provider.baseUrl() + "/" + geminiVersion + "/models/"
                    + URLEncoder.encode(upstreamModel, StandardCharsets.UTF_8).replace("+", "%20")
                    + ":" + endpoint.upstreamPath() + (sse ? "?alt=sse" : "");
            default -> provider.baseUrl() + endpoint.upstreamPath();
        };
    }

    /** Headers for the upstream request: the provider's auth, and the client headers worth keeping. */
    public static MultiMap headers(ProviderConfig provider, MultiMap client) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        out.set("content-type", "application/json");
        out.set("accept-encoding", "identity");
        String accept = client.get("accept");
        out.set("accept", accept == null ? "application/json" : accept);
        String ua = client.get("user-agent");
        out.set("user-agent", ua == null || ua.isBlank() ? USER_AGENT : ua + " " + USER_AGENT);
        authenticate(provider, out, client);
        if (provider.type() == ProviderType.ANTHROPIC) {
            client.getAll("anthropic-beta").forEach(b -> out.add("anthropic-beta", b));
        }
        return out;
    }

    /**
     * Sets the provider's own credentials (and, for Anthropic, the API version the client asked for
     * or the default) on upstream headers from which the client's have been removed.
     */
    public static void authenticate(ProviderConfig provider, MultiMap out, MultiMap client) {
        switch (provider.type()) {
            case OPENAI -> {
                out.set("authorization", "Bearer " + provider.apiKey().value());
                provider.organization().ifPresent(o -> out.set("openai-organization", o));
                provider.project().ifPresent(p -> out.set("openai-project", p));
            }
            case ANTHROPIC -> {
                out.set("x-api-key", provider.apiKey().value());
                String version = client.get("anthropic-version");
                out.set("anthropic-version", version == null ? DEFAULT_ANTHROPIC_VERSION : version);
            }
            case GEMINI -> out.set("x-goog-api-key", provider.apiKey().value());
            case MOCK -> {
            }
        }
    }

    /** Whether an upstream response header is relayed to the client. */
    public static boolean relayResponseHeader(String name) {
        // Compared without changing case so that the relay allocates nothing per header.
        return name.equalsIgnoreCase("content-type") || name.equalsIgnoreCase("content-length")
                || name.equalsIgnoreCase("x-request-id") || name.equalsIgnoreCase("request-id")
                || name.equalsIgnoreCase("retry-after") || name.equalsIgnoreCase("retry-after-ms")
                || name.equalsIgnoreCase("openai-processing-ms") || name.equalsIgnoreCase("openai-version")
                || startsWithIgnoreCase(name, "x-ratelimit-") || startsWithIgnoreCase(name, "anthropic-ratelimit-");
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}

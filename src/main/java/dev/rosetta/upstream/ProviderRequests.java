package dev.rosetta.upstream;

import dev.rosetta.config.ProviderConfig;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.route.Route;
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

    /**
     * The upstream URL for an endpoint of the dialect the route's provider speaks for its model, the
     * platform types included (Azure deployments, Vertex publishers, Bedrock model paths).
     *
     * @param stream whether the answer is streamed (Vertex's and Bedrock's stream methods differ)
     */
    public static String url(Route route, Endpoint endpoint, String geminiVersion, boolean sse, boolean stream) {
        ProviderConfig provider = route.provider();
        String model = route.upstreamModel();
        return switch (provider.type()) {
            case AZURE_OPENAI -> provider.platform().apiVersion().map(v -> switch (endpoint) {
                // Azure's Responses API takes the deployment in the body's model, not in the path
                case RESPONSES -> provider.baseUrl() + "/openai/responses?api-version=" + query(v);
                default -> provider.baseUrl() + "/openai/deployments/" + segment(model) + endpoint.upstreamPath()
                        + "?api-version=" + query(v);
            }).orElseGet(() -> provider.baseUrl() + "/openai/v1" + endpoint.upstreamPath());
            case VERTEX -> {
                String publisher = ProviderType.vertexPublisher(model, route.model().publisher());
                String location = provider.platform().location().orElse("global");
                String base = provider.baseUrl() + "/v1/projects/" + segment(provider.project().orElse(""))
                        + "/locations/" + segment(location) + "/publishers/" + segment(publisher) + "/models/";
                yield switch (endpoint) {
                    case MESSAGES -> base + segment(model) + (stream ? ":streamRawPredict" : ":rawPredict");
                    case COUNT_TOKENS -> base + "count-tokens:rawPredict";
                    default -> base + segment(model) + ":" + endpoint.upstreamPath()
                            + (endpoint == Endpoint.GEMINI_STREAM ? "?alt=sse" : "");
                };
            }
            case BEDROCK -> provider.baseUrl() + "/model/" + segment(model) + switch (endpoint) {
                case COUNT_TOKENS -> "/count-tokens";
                default -> stream ? "/invoke-with-response-stream" : "/invoke";
            };
            default -> url(provider, endpoint, model, geminiVersion, sse);
        };
    }

    /**
     * A path segment, percent-encoded (Bedrock's {@code us.anthropic.claude...-v1:0} has a colon), but for
     * {@code @}, which a path may hold and Vertex's model versions use ({@code claude-sonnet-4-5@20250929}).
     */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%40", "@");
    }

    private static String query(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
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
            case AZURE_OPENAI -> {
                // else a Microsoft Entra ID token, set by the provider's PlatformAuth
                if (!provider.apiKey().value().isEmpty()) {
                    out.set("api-key", provider.apiKey().value());
                }
            }
            case BEDROCK -> {
                // a Bedrock API key; else SigV4, set by the provider's PlatformAuth
                if (!provider.apiKey().value().isEmpty()) {
                    out.set("authorization", "Bearer " + provider.apiKey().value());
                }
            }
            case VERTEX -> {
                if (client.get("anthropic-beta") != null) {
                    client.getAll("anthropic-beta").forEach(b -> out.add("anthropic-beta", b));
                }
            }
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
                || name.equalsIgnoreCase("apim-request-id") || name.equalsIgnoreCase("x-amzn-requestid")
                || startsWithIgnoreCase(name, "x-ratelimit-") || startsWithIgnoreCase(name, "anthropic-ratelimit-");
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}

package dev.rosetta.route;

import dev.rosetta.dialect.ProviderType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The allow-list of provider API paths that are passed through as they are (files, batches,
 * uploads, stored responses, ...): everything of each provider's API but the endpoints the gateway
 * serves itself. Only these paths reach a provider with its key, so a path that could resolve to
 * anything else upstream ({@code ..}, encoded slashes) matches nothing.
 */
public final class ApiPaths {

    /**
     * A path prefix of one provider's API: the path itself and everything below it. {@code anthropicOnly}
     * entries need an Anthropic client (its {@code anthropic-version} or {@code x-api-key} header);
     * {@code /v1/files} exists in both the OpenAI and the Anthropic API and goes by that header.
     */
    private record Prefix(ProviderType family, String path, boolean subtreeOnly) {
    }

    private static final List<Prefix> TABLE = List.of(
            new Prefix(ProviderType.OPENAI, "/v1/responses", true),
            new Prefix(ProviderType.OPENAI, "/v1/conversations", false),
            new Prefix(ProviderType.OPENAI, "/v1/moderations", false),
            new Prefix(ProviderType.OPENAI, "/v1/images", true),
            new Prefix(ProviderType.OPENAI, "/v1/audio", true),
            new Prefix(ProviderType.OPENAI, "/v1/files", false),
            new Prefix(ProviderType.OPENAI, "/v1/uploads", false),
            new Prefix(ProviderType.OPENAI, "/v1/batches", false),
            new Prefix(ProviderType.OPENAI, "/v1/vector_stores", false),
            new Prefix(ProviderType.OPENAI, "/v1/realtime/client_secrets", false),
            new Prefix(ProviderType.ANTHROPIC, "/v1/messages/batches", false),
            new Prefix(ProviderType.ANTHROPIC, "/v1/files", false),
            new Prefix(ProviderType.GEMINI, "/v1beta/cachedContents", false),
            new Prefix(ProviderType.GEMINI, "/v1beta/files", false),
            new Prefix(ProviderType.GEMINI, "/upload/v1beta/files", false),
            new Prefix(ProviderType.GEMINI, "/v1beta/batches", false));

    /** Gemini model methods passed through, beyond the ones the gateway serves (generate, count, embed). */
    private static final List<String> GEMINI_MODEL_METHODS = List.of("batchGenerateContent", "asyncBatchEmbedContent");

    private ApiPaths() {
    }

    /**
     * The API path a request is for, if it is one passed through.
     *
     * @param path the request's raw path (no query)
     * @param anthropicClient whether the client sent Anthropic's headers, for paths both APIs have
     */
    public static Optional<ApiPath> match(String path, boolean anthropicClient) {
        if (!safe(path)) {
            return Optional.empty();
        }
        ProviderType shared = anthropicClient ? ProviderType.ANTHROPIC : ProviderType.OPENAI;
        for (Prefix p : TABLE) {
            boolean below = path.startsWith(p.path()) && path.length() > p.path().length()
                    && path.charAt(p.path().length()) == '/' && path.length() > p.path().length() + 1;
            boolean exact = !p.subtreeOnly() && path.equals(p.path());
            if (!(below || exact)) {
                continue;
            }
            if (p.path().equals("/v1/files") && p.family() != shared) {
                continue;
            }
            return Optional.of(ApiPath.fixed(p.family(), path));
        }
        return Optional.empty();
    }

    /** {@code /{version}/models/{model}:{method}} for a Gemini model method that is passed through. */
    public static Optional<ApiPath> geminiModelMethod(String version, String model, String method) {
        if (!GEMINI_MODEL_METHODS.contains(method) || model.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ApiPath(ProviderType.GEMINI, "/" + version + "/models/", Optional.of(model), ":" + method));
    }

    /** Anthropic's {@code GET /v1/models/{id}}. */
    public static ApiPath anthropicModel(String id) {
        return new ApiPath(ProviderType.ANTHROPIC, "/v1/models/", Optional.of(id), "");
    }

    /**
     * No dot segments, no empty segments and no encoded slash, dot or backslash: a provider that
     * normalises the path would otherwise serve some other endpoint (say {@code /v1/files/../chat/completions})
     * with the gateway's key, outside the model routes.
     */
    static boolean safe(String path) {
        if (!path.startsWith("/") || path.contains("//") || path.indexOf('\\') >= 0) {
            return false;
        }
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c")) {
            return false;
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /**
     * A path of a provider's API, relative to the provider's base URL as its SDK takes it (so
     * {@code /v1} is dropped for OpenAI, whose base URL ends in it). When the path names a model,
     * {@code before + model + after} is the path.
     *
     * @param model the model named in the path, as the client sent it
     */
    public record ApiPath(ProviderType family, String before, Optional<String> model, String after) {

        static ApiPath fixed(ProviderType family, String path) {
            return new ApiPath(family, path, Optional.empty(), "");
        }

        /** The path as the client sent it. */
        public String clientPath() {
            return before + model.orElse("") + after;
        }

        /**
         * The path to append to the provider's base URL, with the model the provider knows in place of
         * the client's when the path names one.
         */
        public String upstreamPath(Optional<String> upstreamModel) {
            String path = before + model.map(m -> URLEncoder.encode(upstreamModel.orElse(m), StandardCharsets.UTF_8)
                    .replace("+", "%20")).orElse("") + after;
            return family == ProviderType.OPENAI && path.startsWith("/v1/") ? path.substring(3) : path;
        }
    }
}

package dev.rosetta.config;

import dev.rosetta.dialect.ProviderType;
import java.time.Duration;
import java.util.Optional;

/**
 * One upstream provider.
 *
 * @param baseUrl the base URL as the provider's official SDK takes it (OpenAI's includes {@code /v1})
 * @param timeout bound on a whole upstream request, streams included
 * @param organization sent as {@code OpenAI-Organization} to OpenAI providers
 * @param project sent as {@code OpenAI-Project} to OpenAI providers
 * @param api for OpenAI providers: the API Rosetta converts to (default: Chat Completions, Responses for Responses clients)
 * @param caFile PEM file of the certificate authorities to trust for this upstream instead of the system ones (a private CA)
 * @param passthrough whether the rest of the provider's API (files, batches, ...) is passed through to it
 * @param platform what a platform type (azure_openai, vertex, bedrock) or a compat preset adds
 */
public record ProviderConfig(String name, ProviderType type, String baseUrl, Secret apiKey, Duration timeout,
                             Duration connectTimeout, Optional<String> organization, Optional<String> project,
                             Optional<String> caFile, Optional<OpenAiApi> api, boolean passthrough,
                             PlatformConfig platform) {

    public ProviderConfig(String name, ProviderType type, String baseUrl, Secret apiKey, Duration timeout,
                          Duration connectTimeout, Optional<String> organization, Optional<String> project,
                          Optional<String> caFile, Optional<OpenAiApi> api, boolean passthrough) {
        this(name, type, baseUrl, apiKey, timeout, connectTimeout, organization, project, caFile, api, passthrough,
                PlatformConfig.NONE);
    }

    /** A provider with the rest of its API passed through (the default). */
    public ProviderConfig(String name, ProviderType type, String baseUrl, Secret apiKey, Duration timeout,
                          Duration connectTimeout, Optional<String> organization, Optional<String> project,
                          Optional<String> caFile, Optional<OpenAiApi> api) {
        this(name, type, baseUrl, apiKey, timeout, connectTimeout, organization, project, caFile, api,
                type != ProviderType.MOCK);
    }
}

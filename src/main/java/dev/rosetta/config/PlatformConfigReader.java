package dev.rosetta.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.dialect.ProviderType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** Reads the keys a platform provider type or a compat preset adds to a provider entry. */
final class PlatformConfigReader {

    /** Keys any provider entry may carry for a platform type; each is checked against the type below. */
    static final Set<String> KEYS = Set.of("api_version", "token_command", "token_file", "token_refresh", "location",
            "credentials", "region", "access_key_id", "secret_access_key", "session_token", "profile", "compat");

    private final ConfigLoader loader;

    PlatformConfigReader(ConfigLoader loader) {
        this.loader = loader;
    }

    PlatformConfig read(JsonNode node, String path, ProviderType type) {
        String p = path + ".";
        Optional<String> apiVersion = loader.string(node, "api_version", p);
        Optional<String> tokenCommand = loader.string(node, "token_command", p);
        Optional<String> tokenFile = loader.string(node, "token_file", p);
        Duration tokenRefresh = loader.duration(node, "token_refresh", p).orElse(Duration.ofMinutes(5));
        Optional<String> location = loader.string(node, "location", p);
        Optional<String> credentials = loader.string(node, "credentials", p);
        Optional<String> region = loader.string(node, "region", p);
        Optional<String> accessKeyId = loader.string(node, "access_key_id", p);
        Optional<String> secret = loader.string(node, "secret_access_key", p);
        Optional<String> sessionToken = loader.string(node, "session_token", p);
        Optional<String> profile = loader.string(node, "profile", p);
        Optional<Compat> compat = loader.string(node, "compat", p).flatMap(c -> {
            Optional<Compat> found = Compat.fromWireName(c);
            if (found.isEmpty()) {
                loader.problem(p + "compat: unknown preset \"" + c + "\" (expected one of "
                        + java.util.Arrays.stream(Compat.values()).map(Compat::wireName).toList() + ")");
            }
            return found;
        });
        only(node, p, type, ProviderType.AZURE_OPENAI, "api_version", "token_command", "token_file", "token_refresh");
        only(node, p, type, ProviderType.VERTEX, "location", "credentials");
        only(node, p, type, ProviderType.BEDROCK, "region", "access_key_id", "secret_access_key", "session_token",
                "profile");
        only(node, p, type, ProviderType.OPENAI, "compat");
        if (tokenCommand.isPresent() && tokenFile.isPresent()) {
            loader.problem(p + "token_command: set token_command or token_file, not both");
        }
        tokenFile.ifPresent(f -> {
            if (!Files.isReadable(Path.of(f))) {
                loader.problem(p + "token_file: cannot read \"" + f + "\"");
            }
        });
        credentials.ifPresent(f -> {
            if (!Files.isReadable(Path.of(f))) {
                loader.problem(p + "credentials: cannot read \"" + f + "\"");
            }
        });
        if (type == ProviderType.VERTEX && location.isEmpty()) {
            loader.problem(p + "location: required for a provider of type vertex (a region such as us-east5, or global)");
        }
        if (type == ProviderType.VERTEX && !node.has("project")) {
            loader.problem(p + "project: required for a provider of type vertex (the Google Cloud project id)");
        }
        if (type == ProviderType.BEDROCK && region.isEmpty()) {
            loader.problem(p + "region: required for a provider of type bedrock (such as us-east-1)");
        }
        if (accessKeyId.isPresent() != secret.isPresent()) {
            loader.problem(p + (accessKeyId.isPresent() ? "secret_access_key" : "access_key_id")
                    + ": access_key_id and secret_access_key go together");
        }
        return new PlatformConfig(apiVersion, tokenCommand, tokenFile, tokenRefresh, location, credentials, region,
                accessKeyId.map(Secret::new), secret.map(Secret::new), sessionToken.map(Secret::new), profile, compat);
    }

    private void only(JsonNode node, String prefix, ProviderType type, ProviderType owner, String... keys) {
        if (type == owner) {
            return;
        }
        for (String k : keys) {
            if (node.has(k)) {
                loader.problem(prefix + k + ": only for a provider of type " + owner.wireName());
            }
        }
    }

    /** Whether a provider of this type needs {@code api_key} given what else it has. */
    static boolean needsApiKey(ProviderType type, JsonNode node) {
        return switch (type) {
            case MOCK, VERTEX, BEDROCK -> false;
            case AZURE_OPENAI -> !node.has("token_command") && !node.has("token_file");
            default -> true;
        };
    }

    /** The public base URL of a type whose host follows from its settings. */
    static String defaultBaseUrl(ProviderType type, PlatformConfig platform) {
        return switch (type) {
            case VERTEX -> platform.location().map(l -> l.equals("global") ? "https://aiplatform.googleapis.com"
                    : "https://" + l + "-aiplatform.googleapis.com").orElse("");
            case BEDROCK -> platform.region().map(r -> "https://bedrock-runtime." + r + ".amazonaws.com").orElse("");
            default -> type.defaultBaseUrl();
        };
    }
}

package dev.rosetta.upstream.auth;

import dev.rosetta.config.PlatformConfig;
import dev.rosetta.config.ProviderConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@link PlatformAuth} of each provider that needs one, shared by every event loop of the process
 * (one token cache, one refresh at a time per provider). Token fetches run on a small pool of daemon
 * threads of their own, never on an event loop or Vert.x's worker pool.
 */
public final class PlatformAuths {

    private static final ExecutorService FETCHERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rosetta-credentials");
        t.setDaemon(true);
        return t;
    });
    private static final Map<ProviderConfig, Optional<PlatformAuth>> SHARED = new ConcurrentHashMap<>();

    private PlatformAuths() {
    }

    /** The provider's auth beyond its static headers, if it has one; the same object for equal configurations. */
    public static Optional<PlatformAuth> of(ProviderConfig provider) {
        return SHARED.computeIfAbsent(provider, p -> create(p, System::getenv, Clock.systemUTC()));
    }

    static Optional<PlatformAuth> create(ProviderConfig p, java.util.function.Function<String, String> env, Clock clock) {
        PlatformConfig platform = p.platform();
        return switch (p.type()) {
            case AZURE_OPENAI -> {
                if (!p.apiKey().value().isEmpty()) {
                    yield Optional.empty();
                }
                if (platform.tokenCommand().isEmpty() && platform.tokenFile().isEmpty()) {
                    yield Optional.empty();
                }
                yield Optional.of(new RefreshingToken("a Microsoft Entra ID token for provider " + p.name(),
                        new EntraTokenSource(platform.tokenCommand().orElse(null),
                                platform.tokenFile().map(Path::of).orElse(null), platform.tokenRefresh(), clock),
                        FETCHERS, clock));
            }
            case VERTEX -> Optional.of(new RefreshingToken("a Google access token for provider " + p.name(),
                    new GoogleTokenSource(platform.credentials()), FETCHERS, clock));
            case BEDROCK -> {
                if (!p.apiKey().value().isEmpty()) {
                    yield Optional.empty();
                }
                // resolved off the event loop (a profile is a file read); requests wait only until it is
                java.util.concurrent.CompletableFuture<software.amazon.awssdk.identity.spi.AwsCredentialsIdentity> identity =
                        java.util.concurrent.CompletableFuture.supplyAsync(() -> SigV4Auth.credentials(platform, env)
                                .orElseThrow(() -> new RefreshingToken.CredentialException("provider " + p.name()
                                        + " has no AWS credentials (access_key_id in its configuration, AWS_ACCESS_KEY_ID"
                                        + " in the environment or a profile in the shared credentials file)", null)), FETCHERS);
                yield Optional.of(new SigV4Auth(identity, platform.region().orElse("us-east-1"), "bedrock", clock));
            }
            default -> Optional.empty();
        };
    }
}

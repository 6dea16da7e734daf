package dev.rosetta.upstream.auth;

import dev.rosetta.config.PlatformConfig;
import dev.rosetta.config.Secret;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileProperty;

/**
 * AWS Signature Version 4 on each request, with the AWS SDK's own signer ({@code http-auth-aws}):
 * the signer is pure computation (HMACs and one SHA-256 of the body), so it runs on the event loop.
 * Credentials come from the configuration, else the standard environment variables, else a profile of
 * the shared credentials file; they are resolved once, off the event loop, when the gateway starts
 * (a request that comes before waits for them).
 */
public final class SigV4Auth implements PlatformAuth {

    /** Headers the signer sets that go upstream. */
    private static final List<String> SIGNED = List.of("authorization", "x-amz-date", "x-amz-security-token",
            "x-amz-content-sha256", "host");

    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final java.util.concurrent.CompletableFuture<AwsCredentialsIdentity> identity;
    private final String region;
    private final String service;
    private final Clock clock;

    /** @param identity the credentials, being resolved off the event loop */
    public SigV4Auth(java.util.concurrent.CompletableFuture<AwsCredentialsIdentity> identity, String region,
                     String service, Clock clock) {
        this.identity = identity;
        this.region = region;
        this.service = service;
        this.clock = clock;
    }

    /**
     * The credentials for a Bedrock provider: configured, else {@code AWS_ACCESS_KEY_ID} /
     * {@code AWS_SECRET_ACCESS_KEY} / {@code AWS_SESSION_TOKEN}, else the profile ({@code profile:},
     * else {@code AWS_PROFILE}, else {@code default}) of the shared credentials file.
     */
    public static Optional<AwsCredentialsIdentity> credentials(PlatformConfig platform, Function<String, String> env) {
        if (platform.accessKeyId().isPresent() && platform.secretAccessKey().isPresent()) {
            return Optional.of(identity(platform.accessKeyId().get().value(), platform.secretAccessKey().get().value(),
                    platform.sessionToken().map(Secret::value).orElse(null)));
        }
        String id = env.apply("AWS_ACCESS_KEY_ID");
        String secret = env.apply("AWS_SECRET_ACCESS_KEY");
        if (platform.profile().isEmpty() && id != null && !id.isBlank() && secret != null && !secret.isBlank()) {
            return Optional.of(identity(id, secret, env.apply("AWS_SESSION_TOKEN")));
        }
        String name = platform.profile().orElseGet(() -> Optional.ofNullable(env.apply("AWS_PROFILE")).orElse("default"));
        try {
            return ProfileFile.defaultProfileFile().profile(name).flatMap(p -> {
                Map<String, String> props = p.properties();
                String pid = props.get(ProfileProperty.AWS_ACCESS_KEY_ID);
                String psecret = props.get(ProfileProperty.AWS_SECRET_ACCESS_KEY);
                if (pid == null || psecret == null) {
                    return Optional.empty();
                }
                return Optional.of(identity(pid, psecret, props.get(ProfileProperty.AWS_SESSION_TOKEN)));
            });
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static AwsCredentialsIdentity identity(String id, String secret, String session) {
        return session == null || session.isBlank() ? AwsCredentialsIdentity.create(id, secret)
                : AwsSessionCredentialsIdentity.create(id, secret, session);
    }

    @Override
    public Future<Void> apply(MultiMap headers, String method, String url, byte[] body) {
        if (identity.isDone() && !identity.isCompletedExceptionally()) {
            sign(identity.join(), headers, method, url, body);
            return Future.succeededFuture();
        }
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        Future<AwsCredentialsIdentity> resolved = context == null ? Future.fromCompletionStage(identity)
                : Future.fromCompletionStage(identity, context);
        return resolved.recover(e -> Future.failedFuture(
                        e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e))
                .map(id -> {
                    sign(id, headers, method, url, body);
                    return null;
                });
    }

    private void sign(AwsCredentialsIdentity id, MultiMap headers, String method, String url, byte[] body) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(URI.create(url));
        String type = headers.get("content-type");
        if (type != null) {
            request.putHeader("content-type", type);
        }
        SignedRequest signed = signer.sign(r -> r.identity(id)
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(software.amazon.awssdk.http.auth.spi.signer.HttpSigner.SIGNING_CLOCK, clock));
        signed.request().headers().forEach((name, values) -> {
            if (SIGNED.contains(name.toLowerCase(java.util.Locale.ROOT)) && !values.isEmpty()) {
                headers.set(name.toLowerCase(java.util.Locale.ROOT), values.get(0));
            }
        });
    }
}

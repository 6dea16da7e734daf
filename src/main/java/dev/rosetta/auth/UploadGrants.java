package dev.rosetta.auth;

import dev.rosetta.dialect.opaque.StateSealer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Sealed, expiring permissions for the follow-up requests of a Gemini resumable upload. The SDKs send
 * those ({@code upload}, {@code finalize}) to the URL the start request was answered with, and send no
 * API key there: at Google the {@code upload_id} is the credential. The gateway rewrites that URL to
 * itself, so with {@code auth: keys} it puts a grant in it ({@value #PARAM}), bound to the key that
 * started the upload, the provider, the path and the upload id, and the admit stage takes it in place
 * of a key for exactly that URL until it expires. It names the key by id, so a key revoked or disabled
 * meanwhile stops its uploads too.
 *
 * <p>Sealed with the gateway's state sealer (the {@code state_secret}, shared by replicas); a label at
 * the start of the body keeps a grant from opening as any other sealed state and back.
 */
public final class UploadGrants {

    /** The query parameter carrying the grant in a rewritten upload URL. */
    public static final String PARAM = "rosetta_upload";
    private static final String LABEL = "rosetta.upload.v1";

    /**
     * @param path the gateway path the grant is good for ({@code /upload/v1beta/files})
     * @param uploadId the provider's {@code upload_id} in that URL
     */
    public record Grant(String keyId, String provider, String path, String uploadId, long expiresAtMillis) {
        public Grant {
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(uploadId, "uploadId");
        }
    }

    private final StateSealer sealer;
    private final Duration ttl;

    /** @param ttl how long a grant works after the upload started (Google keeps an upload session a week) */
    public UploadGrants(StateSealer sealer, Duration ttl) {
        this.sealer = sealer;
        this.ttl = ttl;
    }

    /** A grant for {@code key}'s upload, valid for the configured time from {@code nowMillis}. */
    public String issue(String keyId, String provider, String path, String uploadId, long nowMillis) {
        Grant g = new Grant(keyId, provider, path, uploadId, nowMillis + ttl.toMillis());
        String body = String.join("\n", LABEL, Long.toString(g.expiresAtMillis()), g.keyId(), g.provider(), g.path(),
                g.uploadId());
        return sealer.seal(body.getBytes(StandardCharsets.UTF_8));
    }

    /** The grant sealed in {@code token}; empty when it was not sealed here or was altered (expiry is not checked). */
    public Optional<Grant> open(String token) {
        return sealer.open(token).flatMap(bytes -> {
            // The upload id comes last: the only field taken from the provider, it may hold anything.
            String[] f = new String(bytes, StandardCharsets.UTF_8).split("\n", 6);
            if (f.length != 6 || !f[0].equals(LABEL)) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Grant(f[2], f[3], f[4], f[5], Long.parseLong(f[1])));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }
}

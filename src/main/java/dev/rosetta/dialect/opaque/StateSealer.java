package dev.rosetta.dialect.opaque;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals bytes into a token that only this gateway (or a replica sharing its secret) can open, so
 * that state handed to a client comes back unchanged or not at all.
 *
 * <p>A token is {@code base64url(flags ‖ body ‖ mac)} without padding: {@code flags} bit 0 says the
 * body is raw-deflated (only when that is shorter), {@code mac} is the first {@value #MAC_BYTES}
 * bytes of HMAC-SHA256 over a domain label, the flags and the body. Its alphabet is
 * {@code [A-Za-z0-9_-]}, which every dialect accepts in a tool-call id. Tokens are not encrypted:
 * what they carry is the provider's own opaque state, which the client was shown anyway.
 *
 * <p>Immutable and thread-safe; {@link #open} never throws on bad input.
 */
public final class StateSealer {
    static final int MAC_BYTES = 16;
    /** Bound on an opened body, so that a token cannot inflate into something huge. */
    static final int MAX_BODY_BYTES = 1 << 20;
    private static final byte DEFLATED = 1;
    private static final byte[] DOMAIN = "rosetta.opaque.v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    private StateSealer(byte[] key) {
        if (key.length < 16) {
            throw new IllegalArgumentException("a state secret needs at least 16 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** A sealer keyed by a configured secret (its UTF-8 bytes, at least 16). */
    public static StateSealer withSecret(String secret) {
        return new StateSealer(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A sealer with a fresh 32-byte key from {@code random} (pass a {@link java.security.SecureRandom}). */
    public static StateSealer generated(Random random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return new StateSealer(key);
    }

    /** The token for {@code body}. */
    public String seal(byte[] body) {
        return ENCODER.encodeToString(sealBytes(body));
    }

    /** The token for {@code body} before its base64 step, for carriers that encode it their own way. */
    byte[] sealBytes(byte[] body) {
        byte[] packed = deflate(body);
        byte flags = 0;
        if (packed.length < body.length) {
            flags = DEFLATED;
            body = packed;
        }
        byte[] out = new byte[1 + body.length + MAC_BYTES];
        out[0] = flags;
        System.arraycopy(body, 0, out, 1, body.length);
        System.arraycopy(mac(out, 1 + body.length), 0, out, 1 + body.length, MAC_BYTES);
        return out;
    }

    /** The body sealed in {@code token}, or empty when it is not a token of this key or was altered. */
    public Optional<byte[]> open(String token) {
        byte[] raw;
        try {
            raw = DECODER.decode(token);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return openBytes(raw);
    }

    /** {@link #open} for a token already decoded from its base64. */
    Optional<byte[]> openBytes(byte[] raw) {
        if (raw.length < 1 + MAC_BYTES || (raw[0] & ~DEFLATED) != 0) {
            return Optional.empty();
        }
        int bodyEnd = raw.length - MAC_BYTES;
        byte[] expected = mac(raw, bodyEnd);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(raw, bodyEnd, raw.length))) {
            return Optional.empty();
        }
        byte[] body = Arrays.copyOfRange(raw, 1, bodyEnd);
        return raw[0] == DEFLATED ? inflate(body) : Optional.of(body);
    }

    private byte[] mac(byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(DOMAIN);
            mac.update(data, 0, length);
            return Arrays.copyOf(mac.doFinal(), MAC_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }

    private static byte[] deflate(byte[] body) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(body);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 2 + 16);
            byte[] buf = new byte[4096];
            while (!deflater.finished()) {
                out.write(buf, 0, deflater.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static Optional<byte[]> inflate(byte[] body) {
        Inflater inflater = new Inflater(true);
        try {
            // With nowrap the inflater may want one byte past the end of the stream (Inflater's Javadoc).
            inflater.setInput(Arrays.copyOf(body, body.length + 1));
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length * 3);
            byte[] buf = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return Optional.empty();
                }
                out.write(buf, 0, n);
                if (out.size() > MAX_BODY_BYTES) {
                    return Optional.empty();
                }
            }
            return Optional.of(out.toByteArray());
        } catch (DataFormatException e) {
            return Optional.empty();
        } finally {
            inflater.end();
        }
    }
}

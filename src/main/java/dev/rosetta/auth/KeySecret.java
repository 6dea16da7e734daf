package dev.rosetta.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The format of a gateway key: {@code rk-}, 43 characters of URL-safe base64 carrying 256 random
 * bits, then 6 base62 characters of CRC32 over everything before them (the GitHub token scheme).
 * The checksum lets the gateway, a secret scanner or a pre-commit hook tell a typo or a random string
 * from a real key without any lookup.
 *
 * <p>A key is kept only as its SHA-256 {@link #hash}. A fast, unsalted hash is the right tool for a
 * 256-bit random secret (unlike a password): nobody can search that space, so a stolen table of
 * hashes reveals no key, and the same property makes a hash-map lookup by hash safe against timing
 * attacks: what the lookup's timing could leak is the hash of the presented secret, which the caller
 * already knows, not anything about a stored one.
 */
public final class KeySecret {

    public static final String PREFIX = "rk-";
    private static final int RANDOM_BYTES = 32;
    private static final int RANDOM_CHARS = 43;
    private static final int CHECK_CHARS = 6;
    /** The length of every well-formed key. */
    public static final int LENGTH = PREFIX.length() + RANDOM_CHARS + CHECK_CHARS;
    /** How much of a key is shown in listings and logs to tell keys apart: the prefix and 8 random characters. */
    private static final int VISIBLE = PREFIX.length() + 8;
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private KeySecret() {
    }

    /** A new key from {@code random} (a {@link SecureRandom} outside tests). */
    public static String generate(java.util.Random random) {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        String body = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return body + checksum(body);
    }

    public static String generate() {
        return generate(new SecureRandom());
    }

    /** Whether {@code key} has the shape and checksum of a gateway key; no lookup, constant work. */
    public static boolean wellFormed(String key) {
        if (key.length() != LENGTH || !key.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH - CHECK_CHARS; i++) {
            char c = key.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        long v = crc(key, LENGTH - CHECK_CHARS);
        for (int i = LENGTH - 1; i >= LENGTH - CHECK_CHARS; i--) {
            if (key.charAt(i) != BASE62.charAt((int) (v % 62))) {
                return false;
            }
            v /= 62;
        }
        return v == 0;
    }

    /** CRC32 of the first {@code length} characters of {@code s}, all ASCII (checked, or made so). */
    private static long crc(String s, int length) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(StandardCharsets.US_ASCII), 0, length); // in one call: a character at a time cost 0.3 µs a request
        return crc.getValue();
    }

    /** The lowercase hex SHA-256 of the key: what is stored and looked up, never the key. */
    public static String hash(String key) {
        MessageDigest sha = SHA256.get();
        sha.reset();
        return HexFormat.of().formatHex(sha.digest(key.getBytes(StandardCharsets.US_ASCII)));
    }

    /** One digest per thread: looking the algorithm up costs more than hashing a key (called on every request). */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    });

    /** The visible start of a key ({@code rk-AbCd1234}), enough to recognise it, far too little to use it. */
    public static String visiblePrefix(String key) {
        return key.substring(0, Math.min(VISIBLE, key.length()));
    }

    private static String checksum(String body) {
        long v = crc(body, body.length());
        char[] out = new char[CHECK_CHARS];
        for (int i = CHECK_CHARS - 1; i >= 0; i--) {
            out[i] = BASE62.charAt((int) (v % 62));
            v /= 62;
        }
        return new String(out);
    }
}

package dev.rosetta.error;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Keeps credentials out of everything the gateway writes: error bodies, relayed upstream errors and
 * log lines. It knows the configured secrets and replaces any occurrence with {@code [redacted]}.
 * Secrets shorter than 8 characters are not searched for (they would match ordinary text).
 */
public final class Redactor {

    static final String MASK = "[redacted]";
    private static final int MIN_SECRET = 8;

    private final List<String> secrets;
    private final List<byte[]> secretBytes;

    public Redactor(Collection<String> secrets) {
        List<String> s = new ArrayList<>();
        for (String secret : secrets) {
            if (secret != null && secret.length() >= MIN_SECRET && !s.contains(secret)) {
                s.add(secret);
            }
        }
        s.sort(Comparator.comparingInt(String::length).reversed());
        this.secrets = List.copyOf(s);
        this.secretBytes = s.stream().map(x -> x.getBytes(StandardCharsets.UTF_8)).toList();
    }

    public static Redactor none() {
        return new Redactor(List.of());
    }

    public String redact(String text) {
        String out = text;
        for (String secret : secrets) {
            if (out.contains(secret)) {
                out = out.replace(secret, MASK);
            }
        }
        return out;
    }

    /** The bytes unchanged (same array) when they hold no secret, else a redacted copy. */
    public byte[] redact(byte[] bytes) {
        for (byte[] secret : secretBytes) {
            if (indexOf(bytes, secret) >= 0) {
                return redact(new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            }
        }
        return bytes;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

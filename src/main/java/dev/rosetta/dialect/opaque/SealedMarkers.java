package dev.rosetta.dialect.opaque;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a request body may hold state Rosetta sealed ({@link OpaqueState}), told from its bytes alone:
 * the body holds a JSON string that starts like a sealed value. Run on every same-dialect request, which
 * is otherwise relayed byte for byte, so that state sealed for another provider is opened instead of
 * sent to a provider that refuses it (a client that switched models mid-conversation).
 *
 * <p>A match says "maybe": a client's own text may start a string with a marker, and only opening the
 * value tells (a false positive costs the request its relay: it is converted, faithfully but without
 * the fields the neutral model lacks). A miss is certain as long as the client sends the values back as
 * it got them: no JSON writer escapes the ASCII letters they start with.
 *
 * <p>Implementation notes: every marker has an {@code x} right after an {@code r} ({@code rx},
 * {@code RX}); x is rare in JSON, in English and in base64 (2 in 64), so the scan looks for that one
 * letter 32 bytes at a time (four words of eight tested together, branch-free), and only in a block
 * that has one compares the markers around each. Pure, allocation-free, thread-safe.
 */
public final class SealedMarkers {

    /**
     * The markers, each a JSON string's opening quote and the prefix only sealed values start with:
     * a Chat tool-call id ({@value OpaqueState#ID_PREFIX}…), a carrier value ({@value OpaqueState#CARRIER_PREFIX}…
     * in standard base64, and its URL-safe spelling, which is the same letters), a Responses reasoning
     * item's id ({@value OpaqueState#REASONING_ID_PREFIX}…; kept by a client that dropped its encrypted content).
     */
    public static final List<String> ALL = markers();

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Bytes looked at per step: four words, tested together. */
    private static final int BLOCK = 4 * Long.BYTES;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH = 0x8080808080808080L;
    private static final long CASE_BIT = 0x2020202020202020L;
    private static final long LOWER_X = 0x7878787878787878L;

    private static final byte[][] BYTES = ALL.stream().map(m -> m.getBytes(StandardCharsets.US_ASCII))
            .toArray(byte[][]::new);
    /** Where each marker's {@code x} (or {@code X}) after its {@code r} is. */
    private static final int[] ANCHOR = ALL.stream().mapToInt(SealedMarkers::anchor).toArray();

    private SealedMarkers() {
    }

    private static List<String> markers() {
        String carrier = OpaqueState.CARRIER_PREFIX;
        String urlSafe = Base64.getUrlEncoder().encodeToString(Base64.getDecoder().decode(carrier));
        Set<String> out = new LinkedHashSet<>(List.of("\"" + OpaqueState.ID_PREFIX, "\"" + carrier, "\"" + urlSafe,
                "\"" + OpaqueState.REASONING_ID_PREFIX));
        return List.copyOf(out);
    }

    private static int anchor(String marker) {
        for (int i = 1; i < marker.length(); i++) {
            if ((marker.charAt(i) | 0x20) == 'x' && (marker.charAt(i - 1) | 0x20) == 'r') {
                return i;
            }
        }
        throw new IllegalStateException("a marker without an x after an r cannot be scanned for: " + marker);
    }

    /** Whether {@code body} holds a string starting with one of the {@linkplain #ALL markers}. */
    public static boolean presentIn(byte[] body) {
        int n = body.length;
        int i = 0;
        for (; i + BLOCK <= n; i += BLOCK) {
            long zeros = zeroish(body, i) | zeroish(body, i + 8) | zeroish(body, i + 16) | zeroish(body, i + 24);
            if ((zeros & HIGH) != 0 && markerInBlock(body, i)) {
                return true;
            }
        }
        for (; i < n; i++) {
            if ((body[i] | 0x20) == 'x' && markerAround(body, i)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Non-zero when the eight bytes at {@code i} hold an {@code x} or {@code X}: the zero-byte test of
     * "Bit Twiddling Hacks" on the word with those letters turned to zero (it may flag bytes above a
     * zero one too, which only costs a look).
     */
    private static long xs(byte[] body, int i) {
        return zeroish(body, i) & HIGH;
    }

    /** {@link #xs} before its last step, so that four words share that step and one test. */
    private static long zeroish(byte[] body, int i) {
        long w = ((long) LONGS.get(body, i) | CASE_BIT) ^ LOWER_X;
        return (w - ONES) & ~w;
    }

    /** Whether a marker's {@code x} is in the block at {@code i}: the rare slow path, candidate by candidate. */
    private static boolean markerInBlock(byte[] body, int i) {
        for (int w = i; w < i + BLOCK; w += Long.BYTES) {
            for (long c = xs(body, w); c != 0; c &= c - 1) {
                if (markerAround(body, w + (Long.numberOfTrailingZeros(c) >>> 3))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a marker's {@code x} is the byte at {@code at}. */
    private static boolean markerAround(byte[] body, int at) {
        // Every marker has a letter before its x ('R', 'r'), which an x in text or base64 seldom follows.
        if (at == 0 || (body[at - 1] | 0x20) != 'r') {
            return false;
        }
        for (int m = 0; m < BYTES.length; m++) {
            byte[] marker = BYTES[m];
            int start = at - ANCHOR[m];
            if (start >= 0 && start + marker.length <= body.length && regionIs(body, start, marker)) {
                return true;
            }
        }
        return false;
    }

    private static boolean regionIs(byte[] body, int start, byte[] marker) {
        for (int k = 0; k < marker.length; k++) {
            if (body[start + k] != marker[k]) {
                return false;
            }
        }
        return true;
    }
}

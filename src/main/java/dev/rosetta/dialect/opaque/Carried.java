package dev.rosetta.dialect.opaque;

import dev.rosetta.model.ContentBlock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one sealed value (a tool-call id, a call's thought signature) carries: the call's own id and Gemini signature, and the opaque
 * blocks (signed thinking, redacted thinking) that stood before it since the previous call, or after
 * it when it was the turn's last call.
 *
 * <p>Binary form, version 1: {@code u8 version, str id, opt sig, list before, list after}, where a
 * str is a varint length and UTF-8, an opt a presence byte then a blob, a blob a mode byte (0 UTF-8,
 * 1 standard base64 stored decoded, a quarter shorter) then a varint length and bytes, and a list a
 * varint count of blocks, each {@code u8 kind} (1 thinking: str text, opt signature; 2 redacted:
 * blob data; 3 encrypted reasoning: str id, blob encrypted content, varint count and str per summary
 * part). Blob mode 2 is URL-safe base64 stored decoded (OpenAI's encrypted content). Kind 3 and mode
 * 2 were added within version 1: every earlier payload still reads the same.
 *
 * <p>A bundle, the state of a whole answer carried in one field (a thinking block's signature, a
 * reasoning item's encrypted content, a Gemini text part's signature), is {@code u8 2, varint count}
 * then that many payloads of version 1 without their version byte. An entry with an empty id belongs
 * to no call: its {@code before} blocks open the turn, its {@code after} blocks close it.
 */
record Carried(String id, Optional<String> thoughtSignature, List<ContentBlock> before, List<ContentBlock> after) {
    private static final int VERSION = 1;
    private static final int BUNDLE = 2;
    private static final int THINKING = 1;
    private static final int REDACTED = 2;
    private static final int ENCRYPTED_REASONING = 3;

    Carried {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(thoughtSignature, "thoughtSignature");
        before = List.copyOf(before);
        after = List.copyOf(after);
    }

    boolean isEmpty() {
        return thoughtSignature.isEmpty() && before.isEmpty() && after.isEmpty();
    }

    /** Whether the block is one this carries (any other cannot be sealed). */
    static boolean carriable(ContentBlock b) {
        return b instanceof ContentBlock.Thinking t && t.signature().isPresent()
                || b instanceof ContentBlock.RedactedThinking || b instanceof ContentBlock.EncryptedReasoning;
    }

    byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(VERSION);
        write(out);
        return out.toByteArray();
    }

    private void write(ByteArrayOutputStream out) {
        str(out, id);
        opt(out, thoughtSignature);
        blocks(out, before);
        blocks(out, after);
    }

    static byte[] bundleBytes(List<Carried> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(BUNDLE);
        varint(out, entries.size());
        entries.forEach(e -> e.write(out));
        return out.toByteArray();
    }

    /** The entries of a bundle, or the one payload of version 1; empty when the bytes are neither. */
    static Optional<List<Carried>> entriesFromBytes(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            int version = in.readUnsignedByte();
            int n = switch (version) {
                case VERSION -> 1;
                case BUNDLE -> varint(in);
                default -> -1;
            };
            if (n < 0 || n > in.available()) {
                return Optional.empty();
            }
            List<Carried> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(read(in));
            }
            return in.available() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Carried read(DataInputStream in) throws IOException {
        String id = str(in);
        Optional<String> sig = opt(in);
        List<ContentBlock> before = blocks(in);
        List<ContentBlock> after = blocks(in);
        return new Carried(id, sig, before, after);
    }

    /** Empty when the bytes are not a version-1 payload. */
    static Optional<Carried> fromBytes(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            if (in.readUnsignedByte() != VERSION) {
                return Optional.empty();
            }
            Carried c = read(in);
            return in.available() == 0 ? Optional.of(c) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static void blocks(ByteArrayOutputStream out, List<ContentBlock> blocks) {
        varint(out, blocks.size());
        for (ContentBlock b : blocks) {
            switch (b) {
                case ContentBlock.Thinking t -> {
                    out.write(THINKING);
                    str(out, t.text());
                    opt(out, t.signature());
                }
                case ContentBlock.RedactedThinking r -> {
                    out.write(REDACTED);
                    blob(out, r.data());
                }
                case ContentBlock.EncryptedReasoning r -> {
                    out.write(ENCRYPTED_REASONING);
                    str(out, r.id());
                    blob(out, r.encryptedContent());
                    varint(out, r.summary().size());
                    r.summary().forEach(s -> str(out, s));
                }
                default -> throw new IllegalArgumentException("not carriable: " + b.getClass().getSimpleName());
            }
        }
    }

    private static List<ContentBlock> blocks(DataInputStream in) throws IOException {
        int n = varint(in);
        List<ContentBlock> out = new ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
            int kind = in.readUnsignedByte();
            out.add(switch (kind) {
                case THINKING -> new ContentBlock.Thinking(str(in), opt(in));
                case REDACTED -> new ContentBlock.RedactedThinking(blob(in));
                case ENCRYPTED_REASONING -> new ContentBlock.EncryptedReasoning(str(in), blob(in), strings(in));
                default -> throw new IOException("unknown block kind " + kind);
            });
        }
        return out;
    }

    private static List<String> strings(DataInputStream in) throws IOException {
        int n = varint(in);
        List<String> out = new ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
            out.add(str(in));
        }
        return out;
    }

    private static void opt(ByteArrayOutputStream out, Optional<String> s) {
        out.write(s.isPresent() ? 1 : 0);
        s.ifPresent(v -> blob(out, v));
    }

    private static Optional<String> opt(DataInputStream in) throws IOException {
        return switch (in.readUnsignedByte()) {
            case 0 -> Optional.empty();
            case 1 -> Optional.of(blob(in));
            default -> throw new IOException("bad optional");
        };
    }

    /**
     * Signatures are standard base64, OpenAI's encrypted content URL-safe base64; stored decoded when
     * that gives back exactly the same text.
     */
    private static void blob(ByteArrayOutputStream out, String s) {
        byte[] decoded = base64(s, Base64.getDecoder(), Base64.getEncoder());
        if (decoded != null) {
            out.write(1);
            bytes(out, decoded);
            return;
        }
        decoded = base64(s, Base64.getUrlDecoder(), Base64.getUrlEncoder());
        if (decoded != null) {
            out.write(2);
            bytes(out, decoded);
            return;
        }
        out.write(0);
        str(out, s);
    }

    private static String blob(DataInputStream in) throws IOException {
        return switch (in.readUnsignedByte()) {
            case 0 -> str(in);
            case 1 -> Base64.getEncoder().encodeToString(bytes(in));
            case 2 -> Base64.getUrlEncoder().encodeToString(bytes(in));
            default -> throw new IOException("bad blob mode");
        };
    }

    private static byte[] base64(String s, Base64.Decoder decoder, Base64.Encoder encoder) {
        if (s.isEmpty()) {
            return null;
        }
        try {
            byte[] d = decoder.decode(s);
            return encoder.encodeToString(d).equals(s) ? d : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void str(ByteArrayOutputStream out, String s) {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String str(DataInputStream in) throws IOException {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }

    private static void bytes(ByteArrayOutputStream out, byte[] b) {
        varint(out, b.length);
        out.writeBytes(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = varint(in);
        if (n > in.available()) {
            throw new IOException("length past the end");
        }
        return in.readNBytes(n);
    }

    private static void varint(ByteArrayOutputStream out, int v) {
        while ((v & ~0x7F) != 0) {
            out.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    private static int varint(DataInputStream in) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (v < 0) {
                    throw new IOException("negative length");
                }
                return v;
            }
        }
        throw new IOException("varint too long");
    }
}

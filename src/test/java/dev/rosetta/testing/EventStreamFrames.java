package dev.rosetta.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * AWS event-stream messages as Bedrock sends them, with real CRC32s: Anthropic's SSE events each wrapped
 * in a {@code chunk} event whose payload is {@code {"bytes": "<base64>"}}, or an exception message;
 * and the bytes split at random boundaries, as TCP may deliver them.
 */
public final class EventStreamFrames {

    private EventStreamFrames() {
    }

    public static byte[] message(Map<String, String> headers, byte[] payload) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        headers.forEach((k, v) -> {
            byte[] name = k.getBytes(StandardCharsets.UTF_8);
            byte[] value = v.getBytes(StandardCharsets.UTF_8);
            h.write(name.length);
            h.writeBytes(name);
            h.write(7);
            h.write(value.length >> 8);
            h.write(value.length & 0xff);
            h.writeBytes(value);
        });
        byte[] hb = h.toByteArray();
        int total = 12 + hb.length + payload.length + 4;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(total).putInt(hb.length);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, 8);
        b.putInt((int) crc.getValue());
        b.put(hb).put(payload);
        crc.reset();
        crc.update(b.array(), 0, total - 4);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    public static byte[] chunk(String anthropicEventJson) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":event-type", "chunk");
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "event");
        String payload = "{\"bytes\":\"" + Base64.getEncoder().encodeToString(anthropicEventJson.getBytes(StandardCharsets.UTF_8))
                + "\",\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ\"}";
        return message(headers, payload.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] exception(String type, String message) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":exception-type", type);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "exception");
        return message(headers, ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    /** The frames of an Anthropic SSE stream: each event's data line in a chunk. */
    public static byte[] fromSse(String sse) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String event : sse.split("\n\n")) {
            for (String line : event.split("\n")) {
                if (line.startsWith("data: ")) {
                    out.writeBytes(chunk(line.substring(6)));
                }
            }
        }
        return out.toByteArray();
    }

    /** {@code bytes} cut at random places into pieces of 1 to 40 bytes. */
    public static List<byte[]> split(byte[] bytes, Random random) {
        List<byte[]> parts = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int n = Math.min(bytes.length - i, 1 + random.nextInt(40));
            byte[] p = new byte[n];
            System.arraycopy(bytes, i, p, 0, n);
            parts.add(p);
            i += n;
        }
        return parts;
    }
}

package dev.rosetta.pipeline;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** JSON string literals, for the few places the gateway writes JSON by hand. */
public final class JsonStrings {

    private JsonStrings() {
    }

    /** {@code "value"} with JSON escaping, as UTF-8 bytes. */
    public static byte[] quote(String value) {
        byte[] inner = JsonStringEncoder.getInstance().quoteAsUTF8(value);
        byte[] out = new byte[inner.length + 2];
        out[0] = '"';
        System.arraycopy(inner, 0, out, 1, inner.length);
        out[out.length - 1] = '"';
        return out;
    }

    /** Appends {@code "value"} with JSON escaping. */
    public static StringBuilder append(StringBuilder sb, String value) {
        sb.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, sb);
        return sb.append('"');
    }
}

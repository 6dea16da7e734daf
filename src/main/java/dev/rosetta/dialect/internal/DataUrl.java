package dev.rosetta.dialect.internal;

import dev.rosetta.model.MediaSource;

/** {@code data:<media type>;base64,<data>} URLs, the way OpenAI carries inline media. */
public final class DataUrl {
    private DataUrl() {
    }

    public static boolean isDataUrl(String url) {
        return url.regionMatches(true, 0, "data:", 0, 5);
    }

    /** The inline source a data URL holds; anything but base64 fails at {@code path}. */
    public static MediaSource.Base64 parse(String url, String path) {
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw JsonIn.invalid("malformed data URL", path);
        }
        String header = url.substring(5, comma);
        if (!header.endsWith(";base64")) {
            throw JsonIn.invalid("only base64 data URLs are supported", path);
        }
        String mediaType = header.substring(0, header.length() - ";base64".length());
        if (mediaType.isEmpty()) {
            throw JsonIn.invalid("data URL without a media type", path);
        }
        return new MediaSource.Base64(mediaType, url.substring(comma + 1));
    }

    public static String of(MediaSource.Base64 source) {
        return "data:" + source.mediaType() + ";base64," + source.data();
    }
}

package dev.rosetta.model;

import java.util.Objects;
import java.util.Optional;

/** Where the bytes of an image or document are. */
public sealed interface MediaSource {

    /** Inline bytes, base64-encoded. */
    record Base64(String mediaType, String data) implements MediaSource {
        public Base64 {
            Objects.requireNonNull(mediaType, "mediaType");
            Objects.requireNonNull(data, "data");
        }
    }

    /** A URL the provider fetches ({@code https://}, {@code gs://}, a Files API URI). */
    record Url(String url, Optional<String> mediaType) implements MediaSource {
        public Url {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(mediaType, "mediaType");
        }
    }

    /** A file uploaded to the provider beforehand; only meaningful to that provider. */
    record FileId(String fileId) implements MediaSource {
        public FileId {
            Objects.requireNonNull(fileId, "fileId");
        }
    }

    /** Plain text given as a document (Anthropic {@code source.type=text}). */
    record PlainText(String text) implements MediaSource {
        public PlainText {
            Objects.requireNonNull(text, "text");
        }
    }
}

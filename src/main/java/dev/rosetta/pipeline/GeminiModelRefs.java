package dev.rosetta.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Gemini names the model in the path, but two bodies name it again: each of
 * {@code batchEmbedContents}' {@code requests[].model} and {@code countTokens}'
 * {@code generateContentRequest.model} (the official SDKs fill them in as {@code models/{model}}).
 * Google refuses a body whose model differs from the path's, so when the path's model is renamed
 * for the upstream these must be renamed too. Every other byte is left as it was.
 */
final class GeminiModelRefs {

    private GeminiModelRefs() {
    }

    /** The body with references to {@code clientModel} replaced by {@code upstreamModel}; the body itself if none. */
    static byte[] rename(byte[] body, String clientModel, String upstreamModel) {
        if (clientModel.equals(upstreamModel)) {
            return body;
        }
        List<int[]> spans = new ArrayList<>();
        List<String> replacements = new ArrayList<>();
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return body;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("requests") && v == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        modelField(p, clientModel, upstreamModel, spans, replacements);
                    }
                } else if (name.equals("generateContentRequest") && v == JsonToken.START_OBJECT) {
                    modelField(p, clientModel, upstreamModel, spans, replacements);
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return body; // RequestPeek has already refused malformed JSON
        }
        if (spans.isEmpty()) {
            return body;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 16 * spans.size());
        int at = 0;
        for (int i = 0; i < spans.size(); i++) {
            int[] span = spans.get(i);
            out.write(body, at, span[0] - at);
            out.writeBytes(JsonStrings.quote(replacements.get(i)));
            at = span[1];
        }
        out.write(body, at, body.length - at);
        return out.toByteArray();
    }

    /** Reads one object (the parser is on its START_OBJECT), noting its {@code model} string if it names the client model. */
    private static void modelField(JsonParser p, String clientModel, String upstreamModel, List<int[]> spans,
                                   List<String> replacements) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("model") && v == JsonToken.VALUE_STRING) {
                String model = p.getText();
                String renamed = model.equals("models/" + clientModel) ? "models/" + upstreamModel
                        : model.equals(clientModel) ? upstreamModel : null;
                if (renamed != null) {
                    spans.add(new int[] {(int) p.currentTokenLocation().getByteOffset(),
                            (int) p.currentLocation().getByteOffset()});
                    replacements.add(renamed);
                }
            } else {
                p.skipChildren();
            }
        }
    }
}

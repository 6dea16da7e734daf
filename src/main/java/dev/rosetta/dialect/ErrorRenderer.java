package dev.rosetta.dialect;

import static dev.rosetta.pipeline.JsonStrings.append;

import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import java.nio.charset.StandardCharsets;

/** Renders a {@link GatewayError} as the error body each client dialect's SDK understands. */
public final class ErrorRenderer {

    private ErrorRenderer() {
    }

    public static byte[] render(Dialect dialect, GatewayError error) {
        StringBuilder sb = new StringBuilder(160);
        switch (dialect) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> {
                sb.append("{\"error\":{\"message\":");
                append(sb, error.message()).append(",\"type\":");
                append(sb, error.kind().openAiType()).append(",\"param\":");
                if (error.param().isPresent()) {
                    append(sb, error.param().get());
                } else {
                    sb.append("null");
                }
                sb.append(",\"code\":");
                if (error.code().isPresent()) {
                    append(sb, error.code().get());
                } else {
                    sb.append("null");
                }
                sb.append("}}");
            }
            case ANTHROPIC -> {
                sb.append("{\"type\":\"error\",\"error\":{\"type\":");
                append(sb, error.kind().anthropicType()).append(",\"message\":");
                append(sb, error.message()).append("}}");
            }
            case GEMINI -> {
                sb.append("{\"error\":{\"code\":").append(error.kind().geminiHttpStatus()).append(",\"message\":");
                append(sb, error.message()).append(",\"status\":");
                append(sb, error.kind().geminiStatus());
                if (error.kind() == ErrorKind.UNAUTHENTICATED) {
                    // As Google reports a bad key: google-genai and Google's own tooling look for this reason.
                    sb.append(",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
                            + "\"reason\":\"API_KEY_INVALID\",\"domain\":\"googleapis.com\","
                            + "\"metadata\":{\"service\":\"generativelanguage.googleapis.com\"}}]");
                }
                sb.append("}}");
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}

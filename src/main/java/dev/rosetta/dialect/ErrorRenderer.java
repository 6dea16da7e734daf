package dev.rosetta.dialect;

import static dev.rosetta.pipeline.JsonStrings.append;

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
                sb.append("{\"error\":{\"code\":").append(error.status()).append(",\"message\":");
                append(sb, error.message()).append(",\"status\":");
                append(sb, error.kind().geminiStatus()).append("}}");
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}

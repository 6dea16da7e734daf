package dev.rosetta.dialect;

import static dev.rosetta.pipeline.JsonStrings.append;

import dev.rosetta.route.Route;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The configured models, listed in the shape of each dialect's models endpoint. */
public final class ModelListRenderer {

    /** Models have no creation date of their own here; a fixed one keeps the lists stable. */
    private static final long CREATED_EPOCH = 1735689600L;
    private static final String CREATED_ISO = "2025-01-01T00:00:00Z";

    private ModelListRenderer() {
    }

    public static byte[] list(ProviderType format, List<Route> routes) {
        StringBuilder sb = new StringBuilder(128 + routes.size() * 96);
        switch (format) {
            case ANTHROPIC -> {
                sb.append("{\"data\":[");
                for (int i = 0; i < routes.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    anthropicModel(sb, routes.get(i));
                }
                sb.append("],\"has_more\":false,\"first_id\":");
                firstLast(sb, routes, true).append(",\"last_id\":");
                firstLast(sb, routes, false).append('}');
            }
            case GEMINI -> {
                sb.append("{\"models\":[");
                for (int i = 0; i < routes.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    geminiModel(sb, routes.get(i));
                }
                sb.append("]}");
            }
            default -> {
                sb.append("{\"object\":\"list\",\"data\":[");
                for (int i = 0; i < routes.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    openAiModel(sb, routes.get(i));
                }
                sb.append("]}");
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] one(ProviderType format, Route route) {
        StringBuilder sb = new StringBuilder(160);
        switch (format) {
            case ANTHROPIC -> anthropicModel(sb, route);
            case GEMINI -> geminiModel(sb, route);
            default -> openAiModel(sb, route);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void openAiModel(StringBuilder sb, Route r) {
        sb.append("{\"id\":");
        append(sb, r.clientModel()).append(",\"object\":\"model\",\"created\":").append(CREATED_EPOCH)
                .append(",\"owned_by\":");
        append(sb, r.provider().name()).append('}');
    }

    private static void anthropicModel(StringBuilder sb, Route r) {
        sb.append("{\"type\":\"model\",\"id\":");
        append(sb, r.clientModel()).append(",\"display_name\":");
        append(sb, r.clientModel()).append(",\"created_at\":\"").append(CREATED_ISO).append("\"}");
    }

    private static void geminiModel(StringBuilder sb, Route r) {
        sb.append("{\"name\":");
        append(sb, "models/" + r.clientModel()).append(",\"baseModelId\":");
        append(sb, r.clientModel()).append(",\"version\":\"001\",\"displayName\":");
        append(sb, r.clientModel()).append(",\"description\":");
        append(sb, "Served by Rosetta via provider " + r.provider().name())
                .append(",\"supportedGenerationMethods\":[\"generateContent\",\"streamGenerateContent\","
                        + "\"countTokens\",\"embedContent\",\"batchEmbedContents\"]}");
    }

    private static StringBuilder firstLast(StringBuilder sb, List<Route> routes, boolean first) {
        if (routes.isEmpty()) {
            return sb.append("null");
        }
        return append(sb, routes.get(first ? 0 : routes.size() - 1).clientModel());
    }
}

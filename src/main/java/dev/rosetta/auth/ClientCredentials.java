package dev.rosetta.auth;

import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Optional;

/**
 * The key a client presented, wherever its SDK put it: {@code Authorization: Bearer} (OpenAI, and
 * recent Anthropic SDKs), {@code x-api-key} (Anthropic), {@code x-goog-api-key} or {@code ?key=}
 * (Gemini). Every place is accepted on every path, since SDKs are pointed at paths of other dialects.
 * The key is only ever compared, never forwarded or logged.
 */
public final class ClientCredentials {

    private ClientCredentials() {
    }

    public static Optional<String> extract(MultiMap headers, MultiMap params) {
        String auth = headers.get("authorization");
        if (auth != null && auth.length() > 7 && auth.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            String token = auth.substring(7).trim();
            if (!token.isEmpty()) {
                return Optional.of(token);
            }
        }
        for (String header : new String[] {"x-api-key", "x-goog-api-key"}) {
            String v = headers.get(header);
            if (v != null && !v.isBlank()) {
                return Optional.of(v.trim());
            }
        }
        String key = params.get("key");
        return key == null || key.isBlank() ? Optional.empty() : Optional.of(key.trim());
    }
}

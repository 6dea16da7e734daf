package dev.rosetta.upstream.auth;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Google OAuth2 access tokens for Vertex AI through Google's auth library: a service-account JSON file
 * (its {@code token_uri} is where tokens come from) or Application Default Credentials. Blocking: the
 * caller runs it off the event loop.
 */
public final class GoogleTokenSource implements TokenSource {

    static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");

    private final Optional<String> file;
    private GoogleCredentials credentials; // created on the first fetch, on the fetching thread

    public GoogleTokenSource(Optional<String> file) {
        this.file = file;
    }

    @Override
    public synchronized Token fetch() throws IOException {
        if (credentials == null) {
            GoogleCredentials loaded;
            if (file.isPresent()) {
                try (InputStream in = Files.newInputStream(Path.of(file.get()))) {
                    loaded = GoogleCredentials.fromStream(in);
                }
            } else {
                loaded = GoogleCredentials.getApplicationDefault();
            }
            credentials = loaded.createScopedRequired() ? loaded.createScoped(SCOPES) : loaded;
        }
        AccessToken t = credentials.refreshAccessToken();
        Instant expires = t.getExpirationTime() == null ? Instant.now().plusSeconds(3000)
                : t.getExpirationTime().toInstant();
        return new Token(t.getTokenValue(), expires);
    }
}

package dev.rosetta.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Google's OAuth2 token endpoint as a fake plays it for Vertex tests: a service-account JSON file whose
 * {@code token_uri} points at {@link #PATH} on the fake, with a fresh RSA key; the endpoint checks the
 * JWT-bearer assertion (RS256 signature with the account's public key, issuer, audience, scope) and
 * issues tokens that expire after {@link #expiresIn} seconds; {@link #check} tells whether a request
 * carries a token it issued that has not expired.
 */
public final class FakeGoogleTokens {

    public static final String PATH = "/token";
    public static final String EMAIL = "rosetta-test@proj-1.iam.gserviceaccount.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyPair keys;
    private final Path file;
    private final String tokenUri;
    private final Map<String, Long> issued = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    public volatile int expiresIn = 3600;
    public volatile long delayMillis = 0;

    public FakeGoogleTokens(FakeUpstream fake) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            keys = g.generateKeyPair();
            tokenUri = fake.baseUrl() + PATH;
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            ObjectNode sa = JSON.createObjectNode().put("type", "service_account").put("project_id", "proj-1")
                    .put("private_key_id", "kid-1").put("private_key", pem).put("client_email", EMAIL)
                    .put("client_id", "1234567890").put("token_uri", tokenUri);
            file = Files.createTempFile("rosetta-sa", ".json");
            file.toFile().deleteOnExit();
            Files.writeString(file, JSON.writeValueAsString(sa));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Path file() {
        return file;
    }

    /** Tokens issued so far. */
    public int issued() {
        return count.get();
    }

    /** The token endpoint's answer to {@code r}, or null when {@code r} is not for it. */
    public Reply handle(Recorded r) {
        if (!r.path().equals(PATH)) {
            return null;
        }
        try {
            Map<String, String> form = new java.util.HashMap<>();
            for (String kv : r.bodyText().split("&")) {
                int eq = kv.indexOf('=');
                form.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
            if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))) {
                return Reply.json(400, "{\"error\":\"unsupported_grant_type\"}");
            }
            String[] jwt = form.get("assertion").split("\\.");
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initVerify(keys.getPublic());
            sig.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
            if (!sig.verify(Base64.getUrlDecoder().decode(jwt[2]))) {
                return Reply.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"bad signature\"}");
            }
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(jwt[1]));
            if (!claims.path("iss").asText().equals(EMAIL) || !(claims.path("aud").asText().equals(tokenUri)
                    || claims.path("aud").asText().equals("https://oauth2.googleapis.com/token"))
                    || !claims.path("scope").asText().contains("https://www.googleapis.com/auth/cloud-platform")) {
                return Reply.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"bad claims " + claims + "\"}");
            }
        } catch (Exception e) {
            return Reply.json(400, "{\"error\":\"invalid_request\"}");
        }
        String token = "ya29.fake-" + count.incrementAndGet();
        issued.put(token, System.currentTimeMillis() + expiresIn * 1000L);
        String body = "{\"access_token\":\"" + token + "\",\"expires_in\":" + expiresIn + ",\"token_type\":\"Bearer\"}";
        return new Reply(200, Map.of("content-type", "application/json"),
                delayMillis > 0 ? List.of(new Step.Pause(delayMillis), Step.write(body)) : List.of(Step.write(body)), true);
    }

    /** Fails unless the request carries a token this endpoint issued and that has not expired. */
    public void check(Recorded r) {
        String auth = r.headers().get("authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            throw new AssertionError("no bearer token: " + auth);
        }
        Long expiry = issued.get(auth.substring(7));
        if (expiry == null) {
            throw new AssertionError("a token the endpoint never issued");
        }
        if (System.currentTimeMillis() >= expiry) {
            throw new AssertionError("an expired token (" + (System.currentTimeMillis() - expiry) + " ms past)");
        }
    }
}

package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.FakeGoogleTokens;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;

/**
 * A {@code vertex} provider in front of a fake Vertex AI: requests must carry a bearer token that the
 * fake's token endpoint issued (for the service-account file's JWT) and address the model by project,
 * location and publisher.
 */
abstract class VertexContract extends PlatformSdkContract {

    static final ObjectMapper JSON = new ObjectMapper();
    protected FakeGoogleTokens tokens;

    abstract String upstreamModel();

    abstract String location();

    @Override
    String yaml(FakeUpstream fake) {
        tokens = new FakeGoogleTokens(fake);
        return """
                port: 0
                providers:
                  - name: vertex
                    type: vertex
                    base_url: %s
                    project: proj-1
                    location: %s
                    credentials: %s
                models:
                  - name: m
                    provider: vertex
                    upstream_model: %s
                """.formatted(fake.baseUrl(), location(), tokens.file(), upstreamModel());
    }

    @Override
    Reply special(Recorded r) {
        return tokens.handle(r);
    }

    @Override
    boolean streamed(Recorded r) {
        return r.path().contains(":stream");
    }

    String prefix(String publisher) {
        return "/v1/projects/proj-1/locations/" + location() + "/publishers/" + publisher + "/models/" + upstreamModel();
    }

    static JsonNode body(Recorded r) {
        try {
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static void noApiKeys(Recorded r) {
        assertThat(r.headers().get("x-goog-api-key")).isNull();
        assertThat(r.headers().get("x-api-key")).isNull();
    }
}

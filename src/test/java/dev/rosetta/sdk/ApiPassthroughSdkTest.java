package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.batches.MessageBatch;
import com.google.genai.Client;
import com.google.genai.types.File;
import com.google.genai.types.UploadFileConfig;
import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponse;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.moderations.ModerationCreateParams;
import com.openai.models.moderations.ModerationCreateResponse;
import com.openai.models.responses.Response;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import dev.rosetta.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The calls users run, from the official SDKs, on the rest of each provider's API through the
 * gateway: OpenAI moderation, stored responses and files (a multipart upload and a download),
 * Anthropic message batches, and Gemini's resumable file upload in several chunks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiPassthroughSdkTest {

    private FakeUpstream fake;
    private TestGateway gateway;
    private OpenAIClient openAi;
    private AnthropicClient anthropic;
    private Client gemini;

    @BeforeAll
    void start() {
        fake = new FakeUpstream();
        gateway = TestGateway.withProviders(fake, "30s");
        openAi = SdkAgainstGateway.openAi(gateway.url());
        anthropic = SdkAgainstGateway.anthropic(gateway.url());
        gemini = SdkAgainstGateway.gemini(gateway.url());
    }

    @AfterAll
    void stop() {
        openAi.close();
        anthropic.close();
        gemini.close();
        gateway.close();
        fake.close();
    }

    @Test
    void openAiModeration() {
        fake.answer(Reply.json(200, "{\"id\":\"modr-1\",\"model\":\"omni-moderation-latest\",\"results\":[{\"flagged\":true}]}"));
        ModerationCreateResponse r = openAi.moderations().create(ModerationCreateParams.builder()
                .input("something").model("omni-moderation-latest").build());
        Recorded got = fake.take();
        assertThat(got.path()).isEqualTo("/v1/moderations");
        assertThat(got.headers().get("authorization")).isEqualTo("Bearer " + TestGateway.OPENAI_KEY);
        assertThat(got.bodyText()).contains("\"input\":\"something\"");
        assertThat(r.id()).isEqualTo("modr-1");
        assertThat(r.results().get(0).flagged()).isTrue();
    }

    @Test
    void openAiStoredResponseRetrieve() {
        fake.answer(Reply.json(200, "{\"id\":\"resp_42\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\","
                + "\"model\":\"gpt-4o\",\"output\":[],\"parallel_tool_calls\":true,\"tool_choice\":\"auto\",\"tools\":[]}"));
        Response r = openAi.responses().retrieve("resp_42");
        Recorded got = fake.take();
        assertThat(got.method()).isEqualTo("GET");
        assertThat(got.path()).isEqualTo("/v1/responses/resp_42");
        assertThat(r.id()).isEqualTo("resp_42");
    }

    @Test
    void openAiFileUploadIsMultipartAndTheDownloadIsTheBytes() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024];
        new Random(3).nextBytes(content);
        fake.answer(Reply.json(200, "{\"id\":\"file-9\",\"object\":\"file\",\"bytes\":" + content.length + ",\"created_at\":1,"
                + "\"filename\":\"data.jsonl\",\"purpose\":\"batch\",\"status\":\"processed\"}"));
        FileObject created = openAi.files().create(FileCreateParams.builder().file(content).purpose(FilePurpose.BATCH).build());
        Recorded got = fake.take();
        assertThat(got.path()).isEqualTo("/v1/files");
        assertThat(got.headers().get("content-type")).startsWith("multipart/form-data; boundary=");
        assertThat(got.headers().get("authorization")).isEqualTo("Bearer " + TestGateway.OPENAI_KEY);
        assertThat(indexOf(got.body(), content)).as("the file's bytes inside the multipart body").isPositive();
        assertThat(created.id()).isEqualTo("file-9");

        fake.answer(Reply.stream("application/octet-stream", List.of(new Step.Write(content)), true));
        try (HttpResponse download = openAi.files().content("file-9")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            download.body().transferTo(out);
            assertThat(out.toByteArray()).isEqualTo(content);
        }
        assertThat(fake.take().path()).isEqualTo("/v1/files/file-9/content");
    }

    @Test
    void anthropicMessageBatchRetrieve() {
        fake.answer(Reply.json(200, "{\"id\":\"msgbatch_7\",\"type\":\"message_batch\",\"processing_status\":\"ended\","
                + "\"created_at\":\"2025-01-01T00:00:00Z\",\"expires_at\":\"2025-01-02T00:00:00Z\","
                + "\"request_counts\":{\"processing\":0,\"succeeded\":1,\"errored\":0,\"canceled\":0,\"expired\":0}}"));
        MessageBatch batch = anthropic.messages().batches().retrieve("msgbatch_7");
        Recorded got = fake.take();
        assertThat(got.path()).isEqualTo("/v1/messages/batches/msgbatch_7");
        assertThat(got.headers().get("x-api-key")).isEqualTo(TestGateway.ANTHROPIC_KEY);
        assertThat(got.headers().get("anthropic-version")).isNotNull();
        assertThat(batch.id()).isEqualTo("msgbatch_7");
    }

    @Test
    void geminiResumableUploadInChunksGoesThroughTheGateway() {
        // Over 8 MiB, so the SDK sends one "upload" chunk and then "upload, finalize".
        byte[] content = new byte[9 * 1024 * 1024 + 5];
        new Random(5).nextBytes(content);
        fake.answer(r -> {
            String command = r.headers().get("x-goog-upload-command");
            if ("start".equals(command)) {
                return new Reply(200, Map.of("x-goog-upload-url",
                        "https://generativelanguage.googleapis.com/upload/v1beta/files?upload_id=U-77&upload_protocol=resumable",
                        "x-goog-upload-status", "active"), List.of(), true);
            }
            boolean last = command != null && command.contains("finalize");
            return Reply.json(200, last ? "{\"file\":{\"name\":\"files/up77\",\"mimeType\":\"text/plain\",\"state\":\"ACTIVE\"}}" : "",
                    Map.of("x-goog-upload-status", last ? "final" : "active"));
        });

        File file = gemini.files.upload(content, UploadFileConfig.builder().mimeType("text/plain").displayName("big").build());

        Recorded start = fake.take();
        assertThat(start.path()).isEqualTo("/upload/v1beta/files");
        assertThat(start.headers().get("x-goog-upload-protocol")).isEqualTo("resumable");
        assertThat(start.headers().get("x-goog-upload-header-content-length")).isEqualTo(Integer.toString(content.length));
        assertThat(start.headers().get("x-goog-api-key")).isEqualTo(TestGateway.GEMINI_KEY);
        ByteArrayOutputStream uploaded = new ByteArrayOutputStream();
        Recorded chunk;
        do {
            chunk = fake.take();
            assertThat(chunk.path()).isEqualTo("/upload/v1beta/files");
            assertThat(chunk.query()).isEqualTo("upload_id=U-77&upload_protocol=resumable");
            assertThat(chunk.headers().get("x-goog-api-key")).isEqualTo(TestGateway.GEMINI_KEY);
            assertThat(chunk.headers().get("x-goog-upload-offset")).isEqualTo(Integer.toString(uploaded.size()));
            uploaded.writeBytes(chunk.body());
        } while (!chunk.headers().get("x-goog-upload-command").contains("finalize"));
        assertThat(uploaded.toByteArray()).isEqualTo(content);
        assertThat(file.name()).hasValue("files/up77");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        String h = new String(haystack, StandardCharsets.ISO_8859_1);
        return h.indexOf(new String(needle, StandardCharsets.ISO_8859_1));
    }
}

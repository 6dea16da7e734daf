package dev.rosetta.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {

    private final Redactor redactor = new Redactor(List.of("sk-live-0123456789", "sk-live-0123456789-longer", "short"));

    @Test
    void everyConfiguredSecretIsMasked() {
        assertThat(redactor.redact("bad key sk-live-0123456789-longer and sk-live-0123456789."))
                .isEqualTo("bad key [redacted] and [redacted].");
    }

    @Test
    void bytesWithoutSecretsAreReturnedAsTheyAre() {
        byte[] clean = "{\"error\":\"nothing here\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(redactor.redact(clean)).isSameAs(clean);
        byte[] dirty = "{\"error\":\"key sk-live-0123456789 \u00e9\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(redactor.redact(dirty), StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"key [redacted] \u00e9\"}");
    }

    @Test
    void shortSecretsAreNotSearchedFor() {
        assertThat(redactor.redact("a short story")).isEqualTo("a short story");
    }
}

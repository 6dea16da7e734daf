package dev.rosetta.ledger;

import static dev.rosetta.testing.TestGateway.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code ledger: false} keeps no request records even with a store; the usage API is then absent. */
class LedgerSwitchTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private int usageStatus(TestGateway g) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(g.url() + "/admin/v1/usage"))
                .header("authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void theLedgerIsOnWithAStoreUnlessSwitchedOff() throws Exception {
        try (TestGateway on = TestGateway.withKeys()) {
            assertThat(usageStatus(on)).isEqualTo(200);
        }
        try (TestGateway off = TestGateway.start(TestGateway.KEYS_YAML + "ledger: false\n")) {
            assertThat(usageStatus(off)).isEqualTo(404);
        }
    }
}

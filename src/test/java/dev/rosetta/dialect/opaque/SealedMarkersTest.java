package dev.rosetta.dialect.opaque;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SealedMarkersTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"tool_calls\":[{\"id\":\"call_rxAbC\"}]}",
        "{\"signature\":\"RXs1AAAA\"}",
        "{\"id\":\"rs_rx0123\"}",
        "\"call_rx",
        "\"RXs1",
        "x\"RXs1"})
    void findsAStringStartingLikeASealedValue(String body) {
        assertThat(SealedMarkers.presentIn(bytes(body))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "{\"content\":\"an id like call_rx1 or RXs1 and rs_rx in the middle of text\"}",
        "{\"id\":\"call_rg0123\",\"x\":\"XXXXXXXXXXXXXXXXXXXXxxxxxxxxxxxxxxxx\"}",
        "{\"signature\":\"EqQBRXs1\"}",
        "\"call_r",
        "\"RXs",
        "{\"a\":\"xrs_rx\"}x"})
    void passesOverEverythingElse(String body) {
        assertThat(SealedMarkers.presentIn(bytes(body))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 5, 6, 7, 8, 9, 13, 15, 16, 17, 24, 25, 27, 28, 31, 32, 33, 40, 57, 63, 64})
    void findsAMarkerAtEveryOffsetOfABlock(int pad) {
        for (String marker : SealedMarkers.ALL) {
            String body = "a".repeat(pad) + marker + "b".repeat(pad % 3);
            assertThat(SealedMarkers.presentIn(bytes(body))).as(body).isTrue();
            assertThat(SealedMarkers.presentIn(bytes(body.substring(0, body.length() - (pad % 3) - 1)))).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"call_rx", "\"RXs1", "\"rs_rx"})
    void theMarkersAreTheSealedPrefixes(String marker) {
        assertThat(SealedMarkers.ALL).contains(marker);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
